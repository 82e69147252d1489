/** A one-line progress bar on a terminal; a line every 10 % when the output is a pipe or a file. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number, note?: string) => void {
  let lastDecile = -1;
  const tty = stream.isTTY === true;
  return (done, total, note = '') => {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    if (tty) {
      const width = 30;
      const full = Math.round(share * width);
      stream.write(`\r${label} [${'█'.repeat(full)}${'░'.repeat(width - full)}] ${String(Math.round(share * 100)).padStart(3)}% ${note}\x1b[K`);
      if (done >= total) stream.write('\n');
      return;
    }
    const decile = Math.floor(share * 10);
    if (decile !== lastDecile) {
      lastDecile = decile;
      stream.write(`${label} ${decile * 10}% ${note}\n`);
    }
  };
}
