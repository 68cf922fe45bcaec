// What a failed kexec (or systemctl kexec) means and what to do about it. Pure: the exit code and
// stderr that kexec-tools printed go in ("kexec_load failed: Device or resource busy"), a sentence
// for the person at the console comes out, ending with kexec's own words.

export interface KexecFailure {
  step: 'unload' | 'load' | 'exec';
  exitCode: number | null;
  stderr: string;
  /** The errno code when the program could not be started at all ("ENOENT", "EACCES"). */
  spawnError?: string | null;
  /** The command that failed, for the not-found case. */
  command?: string;
  /** It did not finish in time and was stopped. */
  timedOut?: boolean;
  /** Our uid: EPERM from a user who is not root means "run as root", not lockdown. */
  uid?: number | null;
}

interface Rule {
  match: RegExp;
  explain: (found: RegExpMatchArray, failure: KexecFailure) => string;
}

const RULES: Rule[] = [
  {
    match: /Cannot open `([^']*)': No such file or directory/,
    explain: (m) => `${m[1]} is not there any more: the disk may have been removed or unmounted. Rescan and pick the entry again.`,
  },
  {
    match: /Cannot determine the file type of (.*)|Exec format error/,
    explain: (m) =>
      `kexec does not recognise ${m[1]?.trim() || 'the kernel'} as a kernel it can load on this machine: it is for another architecture, not a kernel, or in a format this kexec-tools cannot read.`,
  },
  {
    match: /Device or resource busy/,
    explain: () =>
      "the running kernel refused to load (EBUSY). On boards whose CPUs are parked with spin-table (Raspberry Pi) it cannot take the other CPUs down: boot kexmenu's own kernel with nr_cpus=1 (maxcpus=1 is not enough).",
  },
  {
    match: /Cannot allocate memory|Could not find a free area of memory|locate_hole failed/,
    explain: () =>
      'there is not enough free memory in one piece for the kernel and its initrd (ENOMEM). Drop extra initrds, pick a smaller initrd, or give the machine more RAM.',
  },
  {
    match: /Key was rejected by service/,
    explain: () =>
      "the running kernel only starts kernels signed by a key it trusts (Secure Boot or lockdown), and this kernel's signature was rejected. Pick a kernel signed by your distribution, or enroll its key.",
  },
  {
    match: /Operation not permitted/,
    explain: (_m, f) =>
      f.uid !== undefined && f.uid !== null && f.uid !== 0
        ? 'kexec needs root. Run kexmenu as root.'
        : f.step === 'exec'
          ? 'the kernel did not allow the reboot into the loaded kernel (EPERM).'
          : 'the running kernel forbids kexec_load: kernel.kexec_load_disabled is set, or lockdown (Secure Boot) allows only signed kernels loaded with kexec -s.',
  },
  {
    match: /Function not implemented/,
    explain: (_m, f) =>
      `the running kernel was built without ${/kexec_file_load/.test(f.stderr) ? 'kexec_file_load (CONFIG_KEXEC_FILE); load without -s' : 'kexec support (CONFIG_KEXEC)'}.`,
  },
  {
    match: /Invalid argument/,
    explain: () =>
      'the running kernel rejected the image (EINVAL): the kernel, initrd or device tree may be damaged, or laid out in a way this kernel cannot take. Try without extra initrds or with the firmware device tree.',
  },
  {
    match: /Nothing has been loaded!/,
    explain: () => 'no kernel is loaded, so there is nothing to start. Load it again.',
  },
  {
    match: /Permission denied/,
    explain: () => 'a file could not be read (EACCES): kexec needs to read the kernel, initrd and device tree as root.',
  },
];

export function explainKexecFailure(failure: KexecFailure): string {
  const program = failure.command ?? 'kexec';
  if (failure.spawnError === 'ENOENT') {
    return `${program} is not installed or not on PATH${program === 'kexec' ? ': install kexec-tools' : ''}.`;
  }
  if (failure.spawnError) return `${program} could not be started (${failure.spawnError}).`;
  if (failure.timedOut) {
    return `${stepName(failure.step)} failed: ${program} did not finish in time. A disk that stopped answering can do this: pick an entry on another disk, or unplug and replug this one and rescan.`;
  }
  const lines = failure.stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  for (const rule of RULES) {
    for (const line of lines) {
      const found = line.match(rule.match);
      if (found) return `${stepName(failure.step)} failed: ${rule.explain(found, failure)} (${program} said: "${line}")`;
    }
  }
  const last = lines.at(-1);
  const code = failure.exitCode === null ? 'it was killed' : `exit status ${failure.exitCode}`;
  return `${stepName(failure.step)} failed (${code})${last ? `: ${program} said "${last}"` : ''}.`;
}

function stepName(step: KexecFailure['step']): string {
  return { unload: 'Unloading the previous kernel', load: 'Loading the kernel', exec: 'Starting the loaded kernel' }[step];
}
