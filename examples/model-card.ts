// Model cards: a short MODEL_CARD.md written next to every model an example saves, saying what data it
// learned from, how well it did, what it is for and where it breaks (after Mitchell et al., "Model Cards").

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a card records about one saved model. */
export interface ModelCard {
  /** The model's name and architecture in one line. */
  model: string;
  /** The training and evaluation data: source, size, split. */
  data: string;
  /** Measured results, by name (e.g. { 'test accuracy': '0.9265 on 2,000 held-out digits' }). */
  metrics: Record<string, string>;
  /** What the model is meant for. */
  intendedUse: string;
  /** Known limits and uses it is not fit for. */
  limits: string[];
  /** The input the model expects (shape, type, range). */
  input: string;
  /** The command that made the model. */
  madeBy: string;
}

/** The card as Markdown. */
export function modelCardMarkdown(card: ModelCard): string {
  return [
    `# Model card: ${card.model}`,
    '',
    `Made by \`${card.madeBy}\` on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '## Data',
    card.data,
    '',
    '## Metrics',
    ...Object.entries(card.metrics).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Input',
    card.input,
    '',
    '## Intended use',
    card.intendedUse,
    '',
    '## Limits',
    ...card.limits.map((l) => `- ${l}`),
    '',
  ].join('\n');
}

/** Writes dir/MODEL_CARD.md; returns its path. */
export function writeModelCard(dir: string, card: ModelCard): string {
  const path = join(dir, 'MODEL_CARD.md');
  writeFileSync(path, modelCardMarkdown(card));
  return path;
}
