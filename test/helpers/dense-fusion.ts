import type { BenchDoc, BenchQuery } from "../../bench/types.ts";
import { fakeEmbedding, foldWords } from "./openai-server.ts";

/**
 * A deterministic stand-in for an embedding model, for testing fusion only: a text's vector is
 * the count of each concept's phrases in it ("kết hôn", "lấy vợ" → marriage), plus a faint hashed
 * bag of its words (fakeEmbedding) so that texts of one concept are not all equal. It knows
 * paraphrases BM25 cannot match, and is blind to the details (ages, numbers) BM25 matches. Real
 * dense quality can only be measured with a real model.
 */
export const CONCEPTS: Record<string, string[]> = {
  marriage: ["ket hon", "lay vo", "lay chong", "vo chong", "hon nhan"],
  divorce: ["ly hon"],
  residence: ["thuong tru", "tam tru", "cu tru", "noi o", "cho o"],
  drugs: ["ma tuy", "cai nghien"],
  labour: ["lao dong", "viec lam", "di lam"],
  child: ["tre em", "chua thanh nien"],
  foreign: ["nuoc ngoai"],
};

export function conceptEmbedding(text: string, dimensions: number): number[] {
  const folded = ` ${foldWords(text).join(" ")} `;
  const names = Object.keys(CONCEPTS);
  const faint = fakeEmbedding(text, dimensions);
  const vector = faint.map((v) => 0.15 * v);
  names.forEach((name, i) => {
    for (const phrase of CONCEPTS[name] ?? []) {
      vector[i] = (vector[i] ?? 0) + (folded.split(` ${phrase} `).length - 1);
    }
  });
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0)) || 1;
  return vector.map((v) => Math.fround(v / norm));
}

export const FUSION_DOCS: BenchDoc[] = [
  {
    id: "ket-hon",
    title: "Điều kiện kết hôn",
    text: "Nam từ đủ 20 tuổi trở lên, nữ từ đủ 18 tuổi trở lên. Việc kết hôn do nam và nữ tự nguyện quyết định.",
  },
  {
    id: "ket-hon-nuoc-ngoai",
    title: "Kết hôn có yếu tố nước ngoài",
    text: "Việc kết hôn giữa công dân Việt Nam với người nước ngoài được đăng ký tại cơ quan có thẩm quyền.",
  },
  {
    id: "ly-hon",
    title: "Ly hôn",
    text: "Ly hôn là việc chấm dứt quan hệ giữa vợ và chồng theo bản án của Tòa án. Khi ly hôn, vợ hoặc chồng được chia tài sản; ly hôn thuận tình được công nhận.",
  },
  {
    id: "thuong-tru",
    title: "Điều kiện đăng ký thường trú",
    text: "Công dân có chỗ ở hợp pháp thuộc quyền sở hữu của mình thì được đăng ký thường trú tại chỗ ở đó.",
  },
  {
    id: "tam-tru",
    title: "Đăng ký tạm trú",
    text: "Công dân đến sinh sống tại chỗ ở hợp pháp ngoài nơi thường trú từ 30 ngày trở lên thì phải đăng ký tạm trú.",
  },
  {
    id: "cai-nghien",
    title: "Cai nghiện ma túy tự nguyện",
    text: "Người nghiện ma túy từ đủ 18 tuổi trở lên tự nguyện cai nghiện tại gia đình, cộng đồng.",
  },
  {
    id: "nguoi-lao-dong",
    title: "Người lao động",
    text: "Người lao động là người từ đủ 15 tuổi trở lên làm việc theo hợp đồng; người chưa thành niên làm việc phải có sự đồng ý của cha mẹ.",
  },
  {
    id: "hop-dong-lao-dong",
    title: "Hợp đồng lao động",
    text: "Hợp đồng lao động là sự thỏa thuận giữa hai bên về việc làm có trả công, tiền lương, điều kiện lao động.",
  },
  {
    id: "tre-em",
    title: "Trẻ em",
    text: "Trẻ em là người dưới 16 tuổi. Người từ đủ 15 tuổi đến dưới 16 tuổi được bảo vệ như trẻ em.",
  },
];

export const FUSION_QUERIES: BenchQuery[] = [
  // Paraphrases: BM25 is drawn to shared words, the "model" knows what they mean.
  { id: "p1", q: "Bao nhiêu tuổi thì được lấy vợ lấy chồng?", relevant: ["ket-hon"] },
  { id: "p2", q: "Ở nhờ nhà người khác hơn một tháng thì phải khai báo nơi ở không?", relevant: ["tam-tru"] },
  // Details: the "model" sees only the topic, BM25 matches the age or the exact words.
  { id: "d1", q: "Người từ đủ 15 tuổi có phải là người lao động không?", relevant: ["nguoi-lao-dong"] },
  { id: "d2", q: "Nữ từ đủ 18 tuổi được kết hôn không?", relevant: ["ket-hon"] },
];
