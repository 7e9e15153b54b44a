/** A line on stdout (tools write with process.stdout, never console). */
export const out = (line: string) => process.stdout.write(`${line}\n`);
