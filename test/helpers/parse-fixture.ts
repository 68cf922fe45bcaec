import path from 'node:path';
import { fsSourceFiles } from '../../src/discover/source-files.js';
import type { Arch } from '../../src/model.js';
import type { ParseResult, Parser } from '../../src/parsers/types.js';
import { expectGolden, fixturePath } from './golden.js';

export interface FixtureOptions {
  board?: string[];
  arch?: Arch;
}

/** Runs a parser over test/fixtures/<format>/<case>/tree as if it were a mounted partition. */
export function parseFixture(parser: Parser, format: string, name: string, options: FixtureOptions = {}): ParseResult {
  const files = fsSourceFiles(fixturePath(format, name, 'tree'));
  return parser({ files, board: options.board ?? [], arch: options.arch ?? 'x86_64' });
}

/** parseFixture, compared with test/fixtures/<format>/<case>/expected.json. */
export function expectParsedFixture(parser: Parser, format: string, name: string, options: FixtureOptions = {}): ParseResult {
  const result = parseFixture(parser, format, name, options);
  expectGolden(result, path.join(fixturePath(format, name), 'expected.json'));
  return result;
}
