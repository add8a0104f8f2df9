/** Bit vectors (V_t in {0,1}^57, G_t in {0,1}^13) packed as hex strings for scalar storage. */
export type Bits = (0 | 1)[];

export function packBits(bits: readonly (0 | 1)[]): string {
  let hex = "";
  for (let i = 0; i < bits.length; i += 4) {
    const nibble = (bits[i] ?? 0) | ((bits[i + 1] ?? 0) << 1) | ((bits[i + 2] ?? 0) << 2) | ((bits[i + 3] ?? 0) << 3);
    hex += nibble.toString(16);
  }
  return hex;
}

export function unpackBits(hex: string, length: number): Bits {
  if (hex.length !== Math.ceil(length / 4) || !/^[0-9a-f]*$/.test(hex))
    throw new Error(`"${hex}" is not a packed bit vector of length ${length}`);
  return Array.from({ length }, (_, i) => ((parseInt(hex[i >> 2]!, 16) >> (i & 3)) & 1) as 0 | 1);
}
