/**
 * CLIP's byte-level BPE tokenizer (Radford et al. 2021; openai/CLIP simple_tokenizer.py and Hugging
 * Face CLIPTokenizer, read for behaviour): whitespace cleanup + lowercase, regex pre-tokenisation,
 * UTF-8 bytes mapped to printable characters, `</w>` marks the end of a word, greedy lowest-rank
 * merges from merges.txt, ids from vocab.json, then BOS + up to 75 tokens + EOS padded to 77
 * (or to tokenizer_config.json's model_max_length).
 * The SD-Turbo folders ship vocab.json + merges.txt but no tokenizer.json, which the maintained JS
 * tokenizers need; so this small implementation (tested in test/core/clip-tokenizer.test.ts).
 */
import { InputError } from './errors.js';
import { joinPath, type ModelFiles } from './model-files.js';

/** CLIP's pre-tokenisation pattern (contractions, letter runs, single digits, punctuation runs). */
const PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;
const UTF8 = new TextEncoder();

/** GPT-2/CLIP byte -> printable character table (bytes_to_unicode). */
export function bytesToUnicode(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const table: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable(b) ? b : 256 + n++);
  return table;
}

/** Lowercase and collapse whitespace (CLIP's basic_clean + whitespace_clean without ftfy). */
export function cleanText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

export interface ClipTokenizerOptions {
  /** Sequence length after padding. Default 77. */
  maxLength?: number;
  /** Padding id; default: the config's pad token, else 0 (as the SD-Turbo ONNX exports pad). */
  padId?: number;
  /**
   * A piece the vocabulary lacks: 'unk' maps it to EOS (CLIP's unk token; default), 'error' throws an
   * InputError naming the word (for small vocabularies, where a silent unk would change the prompt).
   */
  unknown?: 'unk' | 'error';
}

export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly maxLength: number;
  readonly unknown: 'unk' | 'error';
  private readonly ranks = new Map<string, number>();
  private readonly byteChars = bytesToUnicode();
  private readonly cache = new Map<string, string[]>();

  constructor(
    readonly vocab: ReadonlyMap<string, number>,
    merges: readonly [string, string][],
    options: ClipTokenizerOptions = {},
  ) {
    merges.forEach(([a, b], i) => {
      this.ranks.set(`${a} ${b}`, i);
    });
    this.bosId = this.special('<|startoftext|>');
    this.eosId = this.special('<|endoftext|>');
    for (const t of ['<|startoftext|>', '<|endoftext|>']) this.cache.set(t, [t]); // as CLIP: special tokens stay whole
    this.padId = options.padId ?? 0;
    this.maxLength = options.maxLength ?? 77;
    this.unknown = options.unknown ?? 'unk';
  }

  private special(token: string): number {
    const id = this.vocab.get(token);
    if (id === undefined) throw new InputError(`tokenizer vocabulary has no ${token} token`);
    return id;
  }

  /**
   * Reads `dir/vocab.json`, `dir/merges.txt` and the pad token of `special_tokens_map.json` /
   * `tokenizer_config.json` from a model folder (on disk or in the browser).
   */
  static async fromFiles(files: ModelFiles, dir: string, options: ClipTokenizerOptions = {}): Promise<ClipTokenizer> {
    const vocabPath = joinPath(dir, 'vocab.json');
    const mergesPath = joinPath(dir, 'merges.txt');
    for (const p of [vocabPath, mergesPath]) {
      if (!(await files.exists(p))) throw new InputError(`tokenizer file not found: ${files.label(p)}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(await files.text(vocabPath));
    } catch (err) {
      throw new InputError(`${files.label(vocabPath)} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Object.values(raw).some((v) => !Number.isInteger(v))) {
      throw new InputError(`${files.label(vocabPath)} must map tokens to integer ids`);
    }
    const vocab = new Map(Object.entries(raw as Record<string, number>));
    const merges = (await files.text(mergesPath))
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#version'))
      .map((l, i) => {
        const parts = l.trim().split(' ');
        if (parts.length !== 2)
          throw new InputError(
            `${files.label(mergesPath)} line ${i + 2}: expected two symbols, got ${JSON.stringify(l)}`,
          );
        return parts as [string, string];
      });
    const { padToken, maxLength } = await readSpecialTokens(files, dir);
    const padId = options.padId ?? (padToken !== undefined ? vocab.get(padToken) : undefined) ?? 0;
    return new ClipTokenizer(vocab, merges, { maxLength, ...options, padId });
  }

  /** BPE of one pre-token (already byte-mapped): greedy lowest-rank merge until none applies. */
  bpe(token: string): string[] {
    const hit = this.cache.get(token);
    if (hit) return hit;
    const chars = [...token];
    let word = [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
    while (word.length > 1) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < word.length - 1; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      const [a, b] = [word[best], word[best + 1]];
      const next: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(word[i]);
      }
      word = next;
    }
    this.cache.set(token, word);
    return word;
  }

  /** Token ids of a text without BOS/EOS (unknown pieces map to EOS, as CLIP's unk token, or throw: see `unknown`). */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const m of cleanText(text).matchAll(PATTERN)) {
      const bytes = UTF8.encode(m[0]);
      const mapped = Array.from(bytes, (b) => this.byteChars[b]).join('');
      for (const piece of this.bpe(mapped)) {
        const id = this.vocab.get(piece);
        if (id === undefined && this.unknown === 'error') {
          throw new InputError(`prompt word ${JSON.stringify(m[0])} is not in the tokenizer's vocabulary`);
        }
        ids.push(id ?? this.eosId);
      }
    }
    return ids;
  }

  /** BOS + first (maxLength - 2) tokens + EOS, padded with padId to maxLength. */
  encode(text: string): Int32Array {
    const body = this.tokenize(text).slice(0, this.maxLength - 2);
    const out = new Int32Array(this.maxLength).fill(this.padId);
    out.set([this.bosId, ...body, this.eosId]);
    return out;
  }
}

/**
 * The pad token string from special_tokens_map.json or tokenizer_config.json, and model_max_length
 * from tokenizer_config.json (ignored when absent or above 4096, as Hugging Face's "very large" default).
 */
async function readSpecialTokens(files: ModelFiles, dir: string): Promise<{ padToken?: string; maxLength?: number }> {
  const out: { padToken?: string; maxLength?: number } = {};
  for (const name of ['special_tokens_map.json', 'tokenizer_config.json']) {
    const p = joinPath(dir, name);
    if (!(await files.exists(p))) continue;
    let config: { pad_token?: string | { content?: string }; model_max_length?: unknown };
    try {
      config = JSON.parse(await files.text(p));
    } catch {
      throw new InputError(`${files.label(p)} is not valid JSON`);
    }
    const pad = config.pad_token;
    out.padToken ??= typeof pad === 'string' ? pad : typeof pad?.content === 'string' ? pad.content : undefined;
    const len = config.model_max_length;
    if (Number.isInteger(len) && (len as number) >= 3 && (len as number) <= 4096) out.maxLength = len as number;
  }
  return out;
}
