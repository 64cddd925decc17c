/** Whether a process with this pid exists (EPERM: it does, owned by someone else). Lock files use it to spot stale owners. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
