// The last line always says which keys do what on the current screen.
import { Text } from 'ink';
import { fit } from './layout.js';
import type { Screen } from './state.js';

export const HELP: Record<Screen, string> = {
  menu: 'Up/Dn j/k 1-9 select  Enter boot  e edit  l log  r rescan  x shell  q quit',
  editor: 'Tab field  Left/Right move/choose  ^U/^K cut  Enter boot  Esc discard',
  log: 'Up/Dn PgUp/PgDn scroll  r rescan  Esc/l back to the menu',
  password: 'type the password  Enter confirm  Esc cancel',
};

export function HelpBar({ screen, width }: { screen: Screen; width: number }) {
  return <Text dimColor>{fit(HELP[screen], width)}</Text>;
}
