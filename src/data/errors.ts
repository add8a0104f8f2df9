/** A bad input record: names the file and line so the user can find it. */
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = "DataError";
  }
}
