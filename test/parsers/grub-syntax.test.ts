import { describe, expect, it } from 'vitest';
import { parseGrubScript, type Stmt } from '../../src/parsers/grub-syntax.js';

const kinds = (stmts: Stmt[]) => stmts.map((s) => `${s.kind}@${s.line}`);

describe('parseGrubScript', () => {
  it('builds if/elif/else with keywords followed by commands on the same line', () => {
    const { body, problems } = parseGrubScript('if a; then b; elif c\nthen d\nelse e; fi\nafter');
    expect(problems).toEqual([]);
    expect(kinds(body)).toEqual(['if@1', 'command@4']);
    const stmt = body[0] as Extract<Stmt, { kind: 'if' }>;
    expect(stmt.clauses.map((c) => [kinds(c.cond), kinds(c.body)])).toEqual([
      [['command@1'], ['command@1']],
      [['command@1'], ['command@2']],
    ]);
    expect(kinds(stmt.otherwise!)).toEqual(['command@3']);
  });

  it('reads menuentry, submenu, function, for and while blocks', () => {
    const { body, problems } = parseGrubScript(
      "function f {\n  x\n}\nsubmenu 'S' {\n menuentry 'E' { linux /k }\n}\nfor i in a b; do echo $i; done\nwhile false; do x; done\n",
    );
    expect(problems).toEqual([]);
    expect(kinds(body)).toEqual(['function@1', 'menuentry@4', 'for@7', 'while@8']);
    const loop = body[3] as Extract<Stmt, { kind: 'while' }>;
    expect([loop.until, kinds(loop.cond), kinds(loop.body)]).toEqual([false, ['command@8'], ['command@8']]);
    const sub = body[1] as Extract<Stmt, { kind: 'menuentry' }>;
    expect(sub.submenu).toBe(true);
    expect(kinds(sub.body)).toEqual(['menuentry@5']);
  });

  it('drops what is not closed and keeps what came before', () => {
    const { body, problems } = parseGrubScript("ok\nmenuentry 'x' {\n linux /k\n");
    expect(kinds(body)).toEqual(['command@1']);
    expect(problems).toEqual([{ line: 2, message: 'unbalanced braces: menuentry at line 2 has no closing "}"' }]);
  });

  it('reports stray closers', () => {
    expect(parseGrubScript('fi\n}\n').problems.map((p) => p.line)).toEqual([1, 2]);
  });
});
