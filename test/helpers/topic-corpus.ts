/** Passages about different topics, so that questions have rare and common terms. */
export function corpusFiles(): Record<string, string> {
  const topics = [
    "tăng trưởng kinh tế đạt từ 11% trở lên",
    "chuyển đổi số và khoa học công nghệ",
    "xây dựng Đảng trong sạch vững mạnh",
    "phát triển văn hóa và con người Hà Nội",
    "quy hoạch đô thị và giao thông công cộng",
    "bảo vệ môi trường và xử lý rác thải",
  ];
  const files: Record<string, string> = {};
  for (let i = 0; i < 120; i++) {
    const topic = topics[i % topics.length];
    files[`doc-${String(i).padStart(3, "0")}.md`] =
      `# Văn bản số ${i}\n\nThành phố tập trung ${topic} trong giai đoạn 2026-2030. ` +
      `Các sở, ngành phối hợp thực hiện, báo cáo kết quả định kỳ mỗi quý. ` +
      `Nhiệm vụ số ${i} do Ủy ban nhân dân Thành phố chủ trì.\n`;
  }
  // A few long documents at the end of the folder: their passages are much longer than the rest.
  for (let i = 0; i < 3; i++) {
    const sentences = Array.from(
      { length: 40 },
      (_, j) => `Nội dung chi tiết thứ ${j} của phụ lục ${i} về ${topics[j % topics.length]}.`,
    );
    files[`zz-phu-luc-${i}.md`] = `# Phụ lục ${i}\n\n${sentences.join(" ")}\n`;
  }
  return files;
}
