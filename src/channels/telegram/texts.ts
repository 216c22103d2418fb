/** What the Telegram bot says, in one place. HTML where noted; nothing here holds user text. */

/** Shown as buttons under /start; a tap asks the question. All three are answered by the corpus. */
export const EXAMPLE_QUESTIONS = [
  "Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?",
  "Ba đột phá chiến lược là gì?",
  "Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?",
] as const;

/** Registered with setMyCommands: what Telegram shows when a user types "/". */
export const COMMANDS = [
  { command: "start", description: "Giới thiệu và câu hỏi mẫu" },
  { command: "hoi", description: "Đặt câu hỏi (dùng được trong nhóm): /hoi câu hỏi" },
  { command: "nguon", description: "Nguồn của câu trả lời gần nhất" },
  { command: "tailieu", description: "Danh sách tài liệu, ngày đăng và đường dẫn" },
  { command: "chitieu", description: "Các chỉ tiêu, con số (lọc: /chitieu tăng trưởng)" },
  { command: "quiz", description: "Trắc nghiệm ôn tập (/quiz chủ đề)" },
  { command: "baihoc", description: "Tải bài học Markdown cho báo cáo viên (/baihoc chủ đề)" },
  { command: "moi", description: "Bắt đầu cuộc trò chuyện mới" },
  { command: "help", description: "Cách dùng" },
] as const;

/** Admins also see this one in their private chat with the bot. */
export const ADMIN_COMMANDS = [
  ...COMMANDS,
  { command: "reindex", description: "Nạp lại toàn bộ kho tài liệu (quản trị)" },
  { command: "thongke", description: "Thống kê câu hỏi của đảng viên (/thongke 30: 30 ngày)" },
] as const;

export const TEXT = {
  /** HTML; `documents` is already escaped */
  welcome: (documents: string) =>
    "Xin chào! Mình là <b>Sổ tay Nghị quyết</b>, trợ lý hỏi đáp về Chương trình hành động của " +
    "Thành ủy Hà Nội thực hiện Nghị quyết Đại hội XIV của Đảng.\n\n" +
    "Mỗi câu trả lời trích nguyên văn câu trong tài liệu và ghi rõ nguồn; bấm “Nguồn 1”, “Nguồn 2”… " +
    "để xem đoạn gốc. Gõ có dấu hay không dấu đều được. Khi tài liệu không đề cập, mình sẽ nói rõ.\n\n" +
    `${documents}\n\nBạn cứ gõ câu hỏi, hoặc chọn một câu hỏi mẫu:`,
  /** HTML */
  help: (username: string) =>
    "<b>Cách dùng</b>\n" +
    "• Trong trò chuyện riêng: gõ câu hỏi, ví dụ “chỉ tiêu tăng trưởng của Hà Nội”.\n" +
    `• Trong nhóm: /hoi câu hỏi, hoặc nhắc @${username}, hoặc trả lời tin nhắn của mình.\n` +
    `• Ở bất kỳ cuộc trò chuyện nào: gõ @${username} và câu hỏi để tra nhanh rồi gửi kết quả.\n\n` +
    "<b>Lệnh</b>\n" +
    "/hoi: đặt câu hỏi\n" +
    "/nguon: nguồn của câu trả lời gần nhất\n" +
    "/tailieu: danh sách tài liệu\n" +
    "/chitieu: các chỉ tiêu, con số (ví dụ /chitieu tăng trưởng)\n" +
    "/quiz: 5 câu trắc nghiệm ôn tập (ví dụ /quiz đột phá chiến lược)\n" +
    "/baihoc: bài học dạng tệp Markdown cho báo cáo viên (ví dụ /baihoc nhóm nhiệm vụ)\n" +
    "/moi: bắt đầu cuộc trò chuyện mới (quên các câu hỏi trước)\n" +
    "/start: giới thiệu và câu hỏi mẫu",
  askPrompt: "Bạn muốn hỏi gì? Ví dụ: /hoi Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?",
  placeholder: "⏳ Đang soạn câu trả lời…",
  apology: "Xin lỗi, mình gặp sự cố khi xử lý tin nhắn này. Bạn vui lòng thử lại sau ít phút.",
  rateLimited:
    "Bạn gửi hơi nhanh, mình cần vài giây để theo kịp. Bạn vui lòng đợi một chút rồi hỏi tiếp nhé.",
  unknownCommand: "Mình chưa hiểu lệnh này. Gõ /help để xem các lệnh, hoặc gõ thẳng câu hỏi của bạn.",
  notText: "Mình chỉ đọc được câu hỏi bằng chữ. Bạn hãy gõ câu hỏi, ví dụ “Ba đột phá chiến lược là gì?”.",
  voiceOff: "Mình chỉ đọc được câu hỏi gõ bằng chữ, chưa nghe được tin nhắn thoại; bạn hãy gõ câu hỏi nhé.",
  voiceTooLong: (seconds: number) =>
    `Tin nhắn thoại dài hơn ${seconds} giây nên mình không nghe được. Bạn hãy hỏi ngắn hơn hoặc gõ câu hỏi nhé.`,
  voiceTooLarge: (limit: string) =>
    `Tin nhắn thoại lớn hơn ${limit} nên mình không nghe được. Bạn hãy hỏi ngắn hơn hoặc gõ câu hỏi nhé.`,
  voiceFailed:
    "Xin lỗi, mình chưa chuyển được tin nhắn thoại thành chữ. Bạn thử gửi lại sau ít phút, hoặc gõ câu hỏi nhé.",
  voiceEmpty: "Mình không nghe rõ câu hỏi trong tin nhắn thoại. Bạn nói lại rõ hơn, hoặc gõ câu hỏi nhé.",
  /** plain text: the words the user said, as understood */
  youAsked: (question: string) => `Bạn hỏi: “${question}”`,
  newConversation:
    "Đã bắt đầu cuộc trò chuyện mới: các câu hỏi trước sẽ không được dùng để hiểu câu tiếp theo.",
  noLastAnswer: "Bạn chưa hỏi câu nào trong cuộc trò chuyện này. Hãy gõ một câu hỏi trước nhé.",
  sourceGone: "Không tìm thấy câu trả lời này nữa. Bạn hãy hỏi lại nhé.",
  buttonUnknown: "Nút này không còn dùng được. Bạn hãy hỏi lại nhé.",
  feedbackThanks: (up: boolean) => `Cảm ơn bạn đã đánh giá ${up ? "👍" : "👎"}!`,
  feedbackChanged: (up: boolean) => `Đã đổi đánh giá của bạn thành ${up ? "👍" : "👎"}.`,
  feedbackSame: (up: boolean) => `Bạn đã đánh giá ${up ? "👍" : "👎"} rồi.`,
  inlineHint: "Hỏi Sổ tay Nghị quyết",
  inlineNotFound: "Tài liệu không đề cập",
  adminOnlyUpload:
    "Cảm ơn bạn! Tiếc là chỉ quản trị viên mới được thêm tài liệu vào kho, nên tệp này không được lưu. " +
    "Nếu tài liệu hữu ích, bạn hãy gửi cho người quản trị nhé.",
  adminOnly: "Xin lỗi, lệnh này chỉ dành cho quản trị viên.",
  statsUsage: "Cách dùng: /thongke hoặc /thongke 30 (số ngày gần nhất, từ 1 đến 3660).",
  statsMore: "Xem đầy đủ, lọc theo kênh và tải CSV trên trang web, mục Thống kê (mở trang với #thong-ke).",
  /** HTML; the list is fixed text */
  unsupportedFile: (extensions: string) => `Mình chỉ nạp được tệp ${extensions}. Tệp này không được lưu.`,
  fileTooLarge: (limit: string) => `Tệp lớn hơn ${limit} nên không được lưu.`,
  reindexing: "Đang nạp lại kho tài liệu…",
  /** HTML; `name` is already escaped */
  uploading: (name: string) => `Đã nhận <b>${name}</b>, đang lưu và nạp vào kho…`,
  /** HTML; `name` and `error` are already escaped */
  uploadFailed: (name: string, error: string) =>
    `Không nạp được <b>${name}</b>: ${error}\nTệp không được giữ lại; kho tài liệu không đổi.`,
  /** HTML; `name` is already escaped */
  uploadSaved: (name: string) => `Đã lưu <b>${name}</b> vào kho.`,
  quizNone: (topic: string) =>
    topic
      ? `Chưa soạn được câu hỏi nào về “${topic}” từ tài liệu hiện có. Bạn thử chủ đề khác, ví dụ /quiz tăng trưởng.`
      : "Chưa soạn được câu hỏi nào: kho tài liệu đang trống.",
  studyPackNone: (topic: string) =>
    `Tài liệu hiện có không đề cập đến chủ đề “${topic}”, nên chưa soạn được bài học. Bạn thử chủ đề khác, ví dụ /baihoc đột phá chiến lược.`,
  studyPackPreparing: "⏳ Đang soạn bài học…",
} as const;
