/** What the Zalo bot says, in one place. Plain text: Zalo shows no formatting and has no buttons. */

/** Offered in the welcome; all three are answered by the corpus. */
export const EXAMPLE_QUESTIONS = [
  "Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?",
  "Ba đột phá chiến lược là gì?",
  "Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?",
] as const;

const COMMAND_LIST =
  "/nguon: nguồn của câu trả lời gần nhất; /nguon 1 để xem đoạn gốc của nguồn [1]\n" +
  "/tailieu: danh sách tài liệu\n" +
  "/chitieu: các chỉ tiêu, con số (ví dụ /chitieu tăng trưởng)\n" +
  "/quiz: trắc nghiệm ôn tập, từng câu một (ví dụ /quiz đột phá chiến lược)\n" +
  "/baihoc: bài học cho báo cáo viên: điểm chính, chỉ tiêu, câu hỏi thảo luận (ví dụ /baihoc nhóm nhiệm vụ)\n" +
  "/moi: bắt đầu cuộc trò chuyện mới (quên các câu hỏi trước, dừng bài trắc nghiệm)\n" +
  "/help: cách dùng";

export const TEXT = {
  welcome:
    "Xin chào! Mình là Sổ tay Nghị quyết, trợ lý hỏi đáp về Chương trình hành động của Thành ủy " +
    "Hà Nội thực hiện Nghị quyết Đại hội XIV của Đảng. Mỗi câu trả lời trích nguyên văn câu trong " +
    "tài liệu và ghi rõ nguồn. Gõ có dấu hay không dấu đều được.\n\n" +
    `Bạn thử hỏi:\n${EXAMPLE_QUESTIONS.map((q) => `• ${q}`).join("\n")}\n\n` +
    "Muốn ôn tập? Gõ /chitieu để xem các chỉ tiêu, /quiz để làm trắc nghiệm, /baihoc để nhận bài học " +
    "theo chủ đề. Gõ /help để xem các lệnh.",
  help:
    "Cách dùng: gõ câu hỏi về Chương trình hành động, ví dụ “chỉ tiêu tăng trưởng của Hà Nội”. " +
    "Câu trả lời có đánh số [1], [2]… ứng với các nguồn liệt kê bên dưới. Câu hỏi tiếp theo như " +
    "“trong nhiệm kỳ nào?” được hiểu theo câu hỏi trước.\n\n" +
    `Lệnh:\n${COMMAND_LIST}`,
  apology: "Xin lỗi, mình gặp sự cố khi xử lý tin nhắn này. Bạn vui lòng thử lại sau ít phút.",
  rateLimited:
    "Bạn gửi hơi nhanh, mình cần vài giây để theo kịp. Bạn vui lòng đợi một chút rồi hỏi tiếp nhé.",
  notText:
    "Xin lỗi, mình chỉ hỗ trợ tin nhắn văn bản. Bạn hãy gõ câu hỏi bằng chữ, ví dụ “Ba đột phá chiến lược là gì?”.",
  voiceOff: "Mình chỉ đọc được câu hỏi gõ bằng chữ, chưa nghe được tin nhắn thoại; bạn hãy gõ câu hỏi nhé.",
  voiceTooLarge: (limit: string) =>
    `Tin nhắn thoại lớn hơn ${limit} nên mình không nghe được. Bạn hãy hỏi ngắn hơn hoặc gõ câu hỏi nhé.`,
  voiceFailed:
    "Xin lỗi, mình chưa chuyển được tin nhắn thoại thành chữ. Bạn thử gửi lại sau ít phút, hoặc gõ câu hỏi nhé.",
  voiceEmpty: "Mình không nghe rõ câu hỏi trong tin nhắn thoại. Bạn nói lại rõ hơn, hoặc gõ câu hỏi nhé.",
  youAsked: (question: string) => `Bạn hỏi: “${question}”`,
  unknownCommand: `Mình chưa hiểu lệnh này. Các lệnh mình biết:\n${COMMAND_LIST}\n\nHoặc bạn cứ gõ thẳng câu hỏi.`,
  newConversation:
    "Đã bắt đầu cuộc trò chuyện mới: các câu hỏi trước sẽ không được dùng để hiểu câu tiếp theo.",
  newConversationQuizEnded:
    "Đã bắt đầu cuộc trò chuyện mới và dừng bài trắc nghiệm đang làm. Gõ /quiz khi muốn ôn tập tiếp.",
  noLastAnswer: "Bạn chưa hỏi câu nào trong cuộc trò chuyện này. Hãy gõ một câu hỏi trước nhé.",
  noSources: "Câu trả lời gần nhất không trích nguồn nào: tài liệu hiện có không đề cập đến nội dung đó.",
  sourceOutOfRange: (count: number) =>
    count === 1
      ? "Câu trả lời gần nhất chỉ có nguồn [1]. Gõ /nguon 1 để xem đoạn gốc."
      : `Câu trả lời gần nhất có các nguồn [1] đến [${count}]. Gõ /nguon và số thứ tự, ví dụ /nguon 1.`,
  sourcesHint: "Gõ /nguon 1, /nguon 2… để xem đoạn gốc của từng nguồn.",
  emptyAnswer: "Xin lỗi, mình chưa có câu trả lời cho câu hỏi này.",
  targetsNone: "Gõ /chitieu (không kèm từ khóa) để xem tất cả chỉ tiêu, con số.",
  targetsMore: "Lọc bằng /chitieu và từ khóa, ví dụ /chitieu đảng viên.",
  quizNone: (topic: string) =>
    topic
      ? `Chưa soạn được câu hỏi nào về “${topic}” từ tài liệu hiện có. Bạn thử chủ đề khác, ví dụ /quiz tăng trưởng.`
      : "Chưa soạn được câu hỏi nào: kho tài liệu đang trống.",
  quizIntro: (topic: string, total: number) =>
    `Trắc nghiệm ôn tập${topic ? ` về “${topic}”` : ""}: ${total} câu, từng câu một. ` +
    "Trả lời bằng chữ cái A, B, C, D (hoặc số 1-4, hoặc gõ nội dung đáp án); " +
    "gõ “bỏ qua” để xem đáp án, /moi để dừng.",
  quizDone: (correct: number, total: number) =>
    `Hết bài trắc nghiệm: bạn trả lời đúng ${correct}/${total} câu. ` +
    "Gõ /quiz để làm bài khác, /quiz và chủ đề để ôn một chủ đề.",
  quizStopped: (correct: number, answered: number) =>
    answered > 0
      ? `(Đã dừng bài trắc nghiệm: bạn trả lời đúng ${correct}/${answered} câu. Gõ /quiz để làm bài mới.)`
      : "(Đã dừng bài trắc nghiệm. Gõ /quiz để làm bài mới.)",
  quizChanged:
    "Tài liệu vừa được cập nhật nên bài trắc nghiệm đang làm đã kết thúc. Gõ /quiz để làm bài mới.",
  studyPackNone: (topic: string) =>
    `Tài liệu hiện có không đề cập đến chủ đề “${topic}”, nên chưa soạn được bài học. ` +
    "Bạn thử chủ đề khác, ví dụ /baihoc đột phá chiến lược.",
} as const;
