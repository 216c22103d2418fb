import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * A logistic regression over named features, standardised: p = σ(bias + Σ wᵢ·(xᵢ − meanᵢ)/scaleᵢ).
 * Fitted by scripts/train-answerability.ts (Newton's method with an L2 penalty) and committed as
 * JSON under src/answer/models/, which names the data and the date it was trained on.
 */
export const logisticModelSchema = z.object({
  kind: z.literal("logistic"),
  /** what the model predicts */
  target: z.string(),
  trainedOn: z.array(z.string()),
  trainedAt: z.string(),
  command: z.string(),
  features: z.array(z.string()).min(1),
  mean: z.array(z.number()),
  scale: z.array(z.number()),
  weights: z.array(z.number()),
  bias: z.number(),
  l2: z.number(),
  /** the operating point: at or above it the model says yes */
  threshold: z.number().optional(),
  /** cross-validated figures, for the record */
  crossValidation: z.record(z.string(), z.unknown()).optional(),
});

export type LogisticModel = z.infer<typeof logisticModelSchema>;

export function loadLogisticModel(url: URL, features: readonly string[]): LogisticModel {
  const model = logisticModelSchema.parse(JSON.parse(readFileSync(url, "utf8")));
  const names = model.features.join(",");
  if (names !== features.join(",") || model.weights.length !== features.length)
    throw new Error(
      `${url.pathname}: its features (${names}) are not the code's; run npm run train:answerability`,
    );
  return model;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The model's probability for one feature vector (in the model's feature order). */
export function predict(
  model: Pick<LogisticModel, "mean" | "scale" | "weights" | "bias">,
  x: readonly number[],
): number {
  let z = model.bias;
  for (let i = 0; i < model.weights.length; i++) {
    z +=
      (model.weights[i] as number) *
      (((x[i] as number) - (model.mean[i] as number)) / (model.scale[i] as number));
  }
  return sigmoid(z);
}

/** Solves A·x = b in place (Gaussian elimination with partial pivoting); A is small and positive definite. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++)
      if (Math.abs(a[r]?.[c] as number) > Math.abs(a[pivot]?.[c] as number)) pivot = r;
    [a[c], a[pivot]] = [a[pivot] as number[], a[c] as number[]];
    [b[c], b[pivot]] = [b[pivot] as number, b[c] as number];
    const rowC = a[c] as number[];
    const d = rowC[c] as number;
    for (let r = c + 1; r < n; r++) {
      const row = a[r] as number[];
      const f = (row[c] as number) / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) row[k] = (row[k] as number) - f * (rowC[k] as number);
      b[r] = (b[r] as number) - f * (b[c] as number);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r] as number;
    const row = a[r] as number[];
    for (let k = r + 1; k < n; k++) s -= (row[k] as number) * (x[k] as number);
    x[r] = s / (row[r] as number);
  }
  return x;
}

export interface FitOptions {
  /** L2 penalty on the standardised weights (not on the bias) */
  l2: number;
  /** per-row weights (default 1) */
  sampleWeights?: readonly number[];
  iterations?: number;
}

/** Fits weights by Newton's method (iteratively reweighted least squares) with an L2 penalty. */
export function fitLogistic(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  options: FitOptions,
): Pick<LogisticModel, "mean" | "scale" | "weights" | "bias"> {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const sw = options.sampleWeights ?? new Array<number>(n).fill(1);
  const total = sw.reduce((s, w) => s + w, 0);
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (sw[i] as number) * (r[j] as number);
  });
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / total;
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++)
      scale[j] = (scale[j] as number) + (sw[i] as number) * ((r[j] as number) - (mean[j] as number)) ** 2;
  });
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt((scale[j] as number) / total) || 1;
  const z = rows.map((r) => [1, ...r.map((v, j) => (v - (mean[j] as number)) / (scale[j] as number))]);
  const w = new Array<number>(d + 1).fill(0);
  for (let it = 0; it < (options.iterations ?? 50); it++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const x = z[i] as number[];
      let s = 0;
      for (let j = 0; j <= d; j++) s += (w[j] as number) * (x[j] as number);
      const p = sigmoid(s);
      const g = (sw[i] as number) * ((labels[i] as number) - p);
      const h = (sw[i] as number) * p * (1 - p);
      for (let j = 0; j <= d; j++) {
        grad[j] = (grad[j] as number) + g * (x[j] as number);
        const hj = hess[j] as number[];
        for (let k = j; k <= d; k++) hj[k] = (hj[k] as number) + h * (x[j] as number) * (x[k] as number);
      }
    }
    for (let j = 0; j <= d; j++) {
      for (let k = 0; k < j; k++) (hess[j] as number[])[k] = (hess[k] as number[])[j] as number;
      if (j > 0) {
        grad[j] = (grad[j] as number) - options.l2 * (w[j] as number);
        (hess[j] as number[])[j] = ((hess[j] as number[])[j] as number) + options.l2;
      }
      (hess[j] as number[])[j] = ((hess[j] as number[])[j] as number) + 1e-9;
    }
    const step = solve(hess, grad);
    let change = 0;
    for (let j = 0; j <= d; j++) {
      w[j] = (w[j] as number) + (step[j] as number);
      change = Math.max(change, Math.abs(step[j] as number));
    }
    if (change < 1e-7) break;
  }
  return { mean, scale, weights: w.slice(1), bias: w[0] as number };
}
