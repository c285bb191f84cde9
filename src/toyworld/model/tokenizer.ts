/**
 * The toy vocabulary in CLIP's tokenizer format (Radford et al. 2021; the files src/core/clip-tokenizer
 * reads): byte-pair merges learned on the vocabulary (Sennrich et al. 2016: most frequent pair
 * first) until every word is one token; vocab.json holds exactly the whole words (id = toy word id,
 * 0 = <pad>) then <|startoftext|> and <|endoftext|>, so a word outside the vocabulary leaves a piece
 * the vocabulary lacks (an error, not a silent unk); max length = 1 + MAX_TOKENS + 1.
 * `clipToToyIds` maps each id to the toy word id (BOS/EOS -> 0), the first table of the text encoder.
 */
import { MAX_TOKENS, VOCAB } from '../world/index.js';

const BOS = '<|startoftext|>';
const EOS = '<|endoftext|>';
const END = '</w>';
/** input_ids length: BOS + MAX_TOKENS words + EOS. */
export const TOY_TOKENIZER_LENGTH = MAX_TOKENS + 2;

/** A word as BPE symbols: its characters, the last one marked as the end of the word. */
function symbols(word: string): string[] {
  const chars = [...word];
  return [...chars.slice(0, -1), `${chars[chars.length - 1]}${END}`];
}

/** Byte-pair merges that turn every word into one symbol: the most frequent adjacent pair first (ties: smallest text). */
export function learnMerges(words: readonly string[]): [string, string][] {
  let split = words.map(symbols);
  const merges: [string, string][] = [];
  for (;;) {
    const counts = new Map<string, number>();
    for (const w of split) {
      for (let i = 0; i + 1 < w.length; i++) {
        const key = `${w[i]} ${w[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    if (counts.size === 0) return merges;
    const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    const [a, b] = best.split(' ');
    merges.push([a, b]);
    split = split.map((w) => {
      const out: string[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(w[i]);
      }
      return out;
    });
  }
}

export interface ToyTokenizerFiles {
  vocab: Record<string, number>;
  merges: [string, string][];
  /** File name -> contents, for tokenizer/. */
  files: Record<string, string>;
}

/** vocab.json, merges.txt, special_tokens_map.json and tokenizer_config.json of the toy vocabulary. */
export function toyTokenizerFiles(): ToyTokenizerFiles {
  const vocab: Record<string, number> = { [VOCAB[0]]: 0 };
  VOCAB.slice(1).forEach((word, i) => {
    vocab[`${word}${END}`] = i + 1;
  });
  vocab[BOS] = VOCAB.length;
  vocab[EOS] = VOCAB.length + 1;
  const merges = learnMerges(VOCAB.slice(1));
  const special = { bos_token: BOS, eos_token: EOS, pad_token: VOCAB[0], unk_token: EOS };
  const files = {
    'vocab.json': `${JSON.stringify(vocab)}\n`,
    'merges.txt': `#version: 0.2\n${merges.map((m) => m.join(' ')).join('\n')}\n`,
    'special_tokens_map.json': `${JSON.stringify(special, null, 2)}\n`,
    'tokenizer_config.json': `${JSON.stringify(
      { tokenizer_class: 'CLIPTokenizer', model_max_length: TOY_TOKENIZER_LENGTH, do_lower_case: true, ...special },
      null,
      2,
    )}\n`,
  };
  return { vocab, merges, files };
}

/** For every CLIP id, the toy word id of the whole word it stands for, else 0 (padding). */
export function clipToToyIds(vocab: Record<string, number>): Int32Array {
  const size = Math.max(...Object.values(vocab)) + 1;
  const table = new Int32Array(size);
  VOCAB.forEach((word, id) => {
    const clipId = vocab[`${word}${END}`];
    if (id > 0 && clipId !== undefined) table[clipId] = id;
  });
  return table;
}
