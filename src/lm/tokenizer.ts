/**
 * Byte-level tokenizer: a token is one UTF-8 byte (vocabulary 256), so any text is encodable,
 * nothing is out of vocabulary, and bits per byte equals bits per token. Newline (10) separates
 * corpus lines and doubles as the beginning-of-text token when scoring a text.
 */

/** Vocabulary size of the byte-level tokenizer. */
export const BYTE_VOCAB = 256;
/** Token that starts every scored text and ends every corpus line ('\n'). */
export const NEWLINE_ID = 10;

/** What a causal LM needs from a tokenizer. */
export interface Tokenizer {
  readonly vocabSize: number;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
  /** UTF-8 bytes that token `id` stands for (bits per byte divides by the bytes that were scored). */
  tokenBytes(id: number): number;
}

/** UTF-8 bytes as token ids. */
export function encodeBytes(text: string): Int32Array {
  return Int32Array.from(new TextEncoder().encode(text));
}

/** Token ids back to text (invalid UTF-8 sequences become U+FFFD). */
export function decodeBytes(ids: ArrayLike<number>): string {
  return new TextDecoder().decode(Uint8Array.from(ids as ArrayLike<number>));
}

export const byteTokenizer: Tokenizer = Object.freeze({
  vocabSize: BYTE_VOCAB,
  encode: encodeBytes,
  decode: decodeBytes,
  tokenBytes: () => 1,
});
