// Restricted mode: editing, the shell and quitting ask for the password; the input is masked.
import { Box, Text } from 'ink';
import { fit } from './layout.js';
import type { MenuState } from './state.js';

const WHAT = { edit: 'edit a command line', shell: 'start a shell', quit: 'leave the menu' } as const;

export function PasswordPrompt({ password, width, height }: { password: NonNullable<MenuState['password']>; width: number; height: number }) {
  const inner = width - 4;
  return (
    <Box flexDirection="column" borderStyle="classic" paddingX={1} width={width} height={height}>
      <Text>{fit(`A password is needed to ${WHAT[password.then]}.`, inner)}</Text>
      <Text>{fit(`Password: ${'*'.repeat(password.line.text.length)}`, inner)}</Text>
      {password.wrong > 0 && <Text>{fit(`Wrong password (${password.wrong}).`, inner)}</Text>}
    </Box>
  );
}
