import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIngest } from "../../ingest/run-ingest.ts";
import { answerKind, asksForSeveral, capitalisedRuns } from "../../src/answer/answer-kind.ts";
import { type Answerer, createAnswerer } from "../../src/answer/answerer.ts";
import { loadAnswerModels } from "../../src/answer/extractive.ts";
import { fitLogistic, predict } from "../../src/answer/logistic.ts";
import { judge, shortAnswerIn } from "../../src/answer/short-answer.ts";
import { parsePythonLiteral, readViquad, scoreViquad } from "../../src/eval/viquad.ts";
import { rocAuc, shortAnswerMatches } from "../../src/eval/viquad-report.ts";
import { createLogger } from "../../src/logger.ts";
import { loadAbbreviations } from "../../src/retrieval/expand-query.ts";
import { createRetriever } from "../../src/retrieval/retriever.ts";
import { createConversationStore } from "../../src/store/conversation-store.ts";
import { createCorpusStore } from "../../src/store/corpus-store.ts";
import { type Database, openPglite } from "../../src/store/database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { entryArgs } from "../helpers/entry.ts";
import { seeded } from "../helpers/pglite-folder.ts";

const run = promisify(execFile);
const syllablesOf = (...words: string[]) => new Set(words);

describe("ViQuAD-style files", () => {
  it("reads the Python literals of a row, escapes included", () => {
    expect(
      parsePythonLiteral(
        "[{'idx': 0, 'title': 'Hồ Quý Ly', 'paragraph_text': 'Nhà Hồ\\'s \"thành\" \\n', 'is_supporting': False}]",
      ),
    ).toEqual([{ idx: 0, title: "Hồ Quý Ly", paragraph_text: 'Nhà Hồ\'s "thành" \n', is_supporting: false }]);
    expect(() => parsePythonLiteral("[{'a': 1")).toThrow(/Python literal/);
  });

  it("scores a hit only when the folded gold span is in the answer and in a quote", () => {
    const item = {
      row: 2,
      question: "Thành thất thủ năm nào?",
      answer: "năm 1407",
      answerable: true,
      title: "Hồ Quý Ly",
      paragraph: "",
      path: "p.md",
    };
    const quote = (q: string) => ({ n: 1, document: "d", section: "", quote: q, chunkId: "c" });
    expect(
      scoreViquad(item, {
        found: true,
        answer: "**Năm 1407** — …",
        citations: [quote("thất thủ vào NĂM 1407.")],
      }),
    ).toEqual({
      hit: true,
      top1: true,
      refused: false,
    });
    expect(scoreViquad(item, { found: true, answer: "năm 1407", citations: [quote("khác")] }).hit).toBe(
      false,
    );
    expect(
      scoreViquad({ ...item, answerable: false, answer: "" }, { found: false, answer: "", citations: [] })
        .refused,
    ).toBe(true);
  });

  it("reports a malformed row by its number", async () => {
    const dir = await mkdtemp(join(tmpdir(), "viquad-"));
    try {
      const file = join(dir, "bad.csv");
      await writeFile(file, "paragraphs,question,answer\n\"[{'title': 'A'\",Q?,''\n");
      expect(() => readViquad(file)).toThrow(/row 2/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("measures how well a score separates two kinds (ROC AUC)", () => {
    expect(rocAuc([0.9, 0.8], [0.1, 0.2])).toBe(1);
    expect(rocAuc([0.1], [0.9])).toBe(0);
    expect(rocAuc([0.5, 0.5], [0.5])).toBe(0.5);
  });

  it("counts a short answer right when it and the gold span are the same words, one inside the other", () => {
    expect(shortAnswerMatches("1885", "năm 1885")).toBe(true);
    expect(shortAnswerMatches("Tỉnh Sa Đéc", "Sa Đéc")).toBe(true);
    expect(shortAnswerMatches("18", "185")).toBe(false);
    expect(shortAnswerMatches("650 ghế", "18 ghế")).toBe(false);
    expect(shortAnswerMatches("", "18 ghế")).toBe(false);
  });
});

describe("the models' parts", () => {
  it("fits a logistic regression that ranks by the informative feature", () => {
    const rows = Array.from({ length: 200 }, (_, i) => [i % 2, (i * 7919) % 13]);
    const labels = rows.map((r) => r[0] as number);
    const model = fitLogistic(rows, labels, { l2: 1 });
    expect(predict(model, [1, 5])).toBeGreaterThan(0.8);
    expect(predict(model, [0, 5])).toBeLessThan(0.2);
  });

  it("loads the committed models with the code's features and an operating point", () => {
    const models = loadAnswerModels();
    expect(models.answerability.threshold).toBeGreaterThan(0);
    expect(models.answerability.trainedOn.join(" ")).toMatch(/dev\.csv/);
  });

  it.each([
    ["Thành Thanh Hóa thất thủ năm nào?", "date"],
    ["Chương trình có bao nhiêu nhóm nhiệm vụ?", "number"],
    ["Ai là Bí thư Thành ủy?", "who"],
    ["Chùa Kim Giác nằm ở tỉnh nào?", "where"],
    ["Vì sao Quý Ly dời đô?", "reason"],
    ["Chương trình có 45 chỉ tiêu phải không?", "yesno"],
    ["co phai ha noi co 12 nhom nhiem vu khong", "yesno"],
    ["Mục tiêu xuyên suốt là gì?", "definition"],
  ] as const)("%s asks for a %s", (q, kind) => {
    expect(answerKind(q)).toBe(kind);
  });

  it("finds names, keeping acronyms and dropping a capital that only starts the sentence", () => {
    expect(capitalisedRuns("Thành phố Hồ Chí Minh đặt mục tiêu gì?").map((r) => r.text)).toEqual([
      "Hồ Chí Minh",
    ]);
    expect(capitalisedRuns("TP.HCM có bao nhiêu nhóm?").map((r) => r.text)).toEqual(["TP.HCM"]);
    expect(capitalisedRuns("Năm loài moi lân sống ở Nam Đại Dương.").map((r) => r.text)).toEqual([
      "Nam Đại Dương",
    ]);
  });

  it("puts the asked figure, date or person first, as the sentence writes it", () => {
    const s = "Chương trình bổ sung ba phụ lục, danh mục 212 nhiệm vụ, đề án, dự án trọng điểm.";
    expect(
      shortAnswerIn("number", s, "Có bao nhiêu dự án trọng điểm?", syllablesOf("du", "an", "trong", "diem")),
    ).toBe("212");
    expect(
      shortAnswerIn(
        "date",
        "Cuối năm Bính Tuất (ngày 20 tháng 1 năm 1407) thành thất thủ.",
        "Thành thất thủ năm nào?",
        syllablesOf("thanh", "that", "thu"),
      ),
    ).toBe("ngày 20 tháng 1 năm 1407");
    expect(
      shortAnswerIn(
        "who",
        "Chỉ đạo của Tổng Bí thư Tô Lâm, Bí thư Thành ủy Nguyễn Duy Ngọc nhấn mạnh.",
        "Ai là Bí thư Thành ủy?",
        syllablesOf("bi", "thu", "thanh", "uy"),
      ),
    ).toBe("Nguyễn Duy Ngọc");
  });

  it("takes a count written with a thousands dot for a count, not a year, and names what it counts in full", () => {
    const s =
      "Đảng bộ triển khai Chương trình tới 1.605 điểm cầu, với sự tham gia của 1.662.336 cán bộ, đảng viên.";
    expect(
      shortAnswerIn("number", s, "Hà Nội có bao nhiêu điểm cầu?", syllablesOf("ha", "noi", "diem", "cau")),
    ).toBe("1.605 điểm cầu");
    expect(
      shortAnswerIn(
        "number",
        "Chương trình gồm hệ thống 43 chỉ tiêu chủ yếu về phát triển kinh tế - xã hội.",
        "Chương trình có bao nhiêu chỉ tiêu chủ yếu?",
        syllablesOf("chuong", "trinh", "chi", "tieu", "chu", "yeu"),
      ),
    ).toBe("43 chỉ tiêu chủ yếu");
  });

  it("keeps a unit whole, reads a bare 'từ' as 'from', and ends the counted noun at the predicate", () => {
    const area = "Tây Ban Nha có diện tích 91.470 km² mặt đất và 620 km² mặt nước.";
    expect(
      shortAnswerIn(
        "number",
        area,
        "Diện tích mặt đất là bao nhiêu?",
        syllablesOf("dien", "tich", "mat", "dat"),
      ),
    ).toBe("91.470 km²");
    const visa = "Từ năm 2013, công dân từ 45 quốc gia được ở lại 72 giờ.";
    expect(
      shortAnswerIn(
        "number",
        visa,
        "Công dân của bao nhiêu quốc gia được ở lại?",
        syllablesOf("cong", "dan", "quoc", "gia", "o", "lai"),
      ),
    ).toBe("45 quốc gia");
    const growth = "Phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên.";
    expect(
      shortAnswerIn(
        "number",
        growth,
        "Tăng trưởng kinh tế bao nhiêu?",
        syllablesOf("tang", "truong", "kinh", "te"),
      ),
    ).toBe("từ 11% trở lên");
  });

  it("answers a unit asked by name, and not with the question's own topic", () => {
    const cave = "Hang dài hơn 5 km, có những cột thạch nhũ cao 200 m.";
    expect(
      shortAnswerIn(
        "number",
        cave,
        "Cột thạch nhũ cao bao nhiêu mét?",
        syllablesOf("cot", "thach", "nhu", "cao"),
      ),
    ).toBe("200 m");
    // "một người" counts people, not the grams asked about
    const liver = "Gan của một người nặng 68 kg chứa khoảng 35 g cholesterol.";
    expect(
      shortAnswerIn(
        "number",
        liver,
        "Gan chứa bao nhiêu gam cholesterol?",
        syllablesOf("gan", "chua", "cholesterol"),
      ),
    ).toBe("khoảng 35 g");
    // "bao nhiêu người": a count of people, whatever people they are
    const conference =
      "Hội nghị triển khai tới 1.605 điểm cầu, với sự tham gia của 1.662.336 cán bộ, đảng viên.";
    expect(
      shortAnswerIn(
        "number",
        conference,
        "Bao nhiêu người dự hội nghị?",
        syllablesOf("nguoi", "du", "hoi", "nghi"),
      ),
    ).toBe("1.662.336 cán bộ");
    const opera = "Riccardo Primo là vở opera do George Frideric Handel viết năm 1727.";
    expect(
      shortAnswerIn(
        "who",
        opera,
        "Vở opera Riccardo được viết bởi ai?",
        syllablesOf("vo", "opera", "riccardo", "viet"),
      ),
    ).toBe("George Frideric Handel");
  });

  it("gives an organisation's name whole, and an organisation where one is asked for", () => {
    const review =
      "Thành ủy đã chỉ đạo Ban Tuyên giáo và Dân vận Thành ủy chủ trì rà soát toàn diện Chương trình số 01.";
    expect(
      shortAnswerIn(
        "who",
        review,
        "Ban nào được giao rà soát Chương trình số 01?",
        syllablesOf("ban", "duoc", "giao", "ra", "soat", "chuong", "trinh", "so", "01"),
      ),
    ).toBe("Ban Tuyên giáo và Dân vận Thành ủy");
    const program =
      "Bí thư Thành ủy Nguyễn Duy Ngọc nhấn mạnh, Ban Chấp hành Đảng bộ TP Hà Nội khóa XVIII xây dựng Chương trình hành động.";
    expect(
      shortAnswerIn(
        "who",
        program,
        "Cơ quan nào xây dựng Chương trình hành động?",
        syllablesOf("co", "quan", "xay", "dung", "chuong", "trinh", "hanh", "dong"),
      ),
    ).toBe("Ban Chấp hành Đảng bộ TP Hà Nội khóa XVIII");
  });

  it("answers 'thuộc thành phố nào' with the name that follows 'thành phố'", () => {
    const s = "Điểm cực Đông là Cù Lao Xanh, thuộc thành phố Quy Nhơn.";
    expect(
      shortAnswerIn(
        "where",
        s,
        "Điểm cực Đông thuộc thành phố nào?",
        syllablesOf("diem", "cuc", "dong", "thuoc"),
      ),
    ).toBe("Quy Nhơn");
  });

  it("judges a yes/no check by the figures the sentence states", () => {
    const s = "Chương trình gồm hệ thống 43 chỉ tiêu chủ yếu giai đoạn 2026-2030.";
    expect(judge("Có 43 chỉ tiêu chủ yếu phải không?", s, 1)).toEqual({ value: "true" });
    expect(judge("Có 45 chỉ tiêu chủ yếu phải không?", s, 1)).toEqual({
      value: "false",
      stated: "43 chỉ tiêu chủ yếu",
      asked: "45",
    });
    expect(judge("Có 45 dự án phải không?", s, 1)).toBeUndefined();
  });

  it("judges a percentage by the words before it, and a count inside a listed phrase", () => {
    const growth = "Phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031.";
    expect(judge("Hà Nội phấn đấu tăng trưởng 9% phải không?", growth, 1)).toEqual({
      value: "false",
      stated: "từ 11% trở lên",
      asked: "9%",
    });
    // another percentage, of something the sentence does not put before its figure
    expect(judge("Tỷ lệ đô thị hóa đạt 9% phải không?", growth, 1)).toBeUndefined();
    // a count is not a percentage
    expect(judge("Có 9 chỉ tiêu tăng trưởng phải không?", growth, 1)).toBeUndefined();
    const annex = "Danh mục 212 nhiệm vụ, đề án, dự án, công trình trọng điểm.";
    expect(judge("Chương trình có 200 dự án trọng điểm đúng không?", annex, 1)).toEqual({
      value: "false",
      stated: "212 nhiệm vụ, đề án, dự án",
      asked: "200",
    });
    expect(judge("Có 212 dự án phải không?", annex, 1)).toEqual({ value: "true" });
  });

  it("knows a question that asks for several names or places", () => {
    expect(asksForSeveral("Bốn trục tổ chức thực hiện gồm những ai?")).toBe(true);
    expect(asksForSeveral("bon truc gom nhung ai?")).toBe(true);
    expect(asksForSeveral("Những quốc gia nào thuộc liên minh?")).toBe(true);
    expect(asksForSeveral("Các tỉnh nào giáp Hà Nội?")).toBe(true);
    expect(asksForSeveral("Ai là Bí thư Thành ủy Hà Nội?")).toBe(false);
    // "nhúng" is not "những" when the question is typed with its marks
    expect(asksForSeveral("Hệ thống nhúng được sản xuất vào năm nào?")).toBe(false);
  });
});

describe("answers a member sees on the seed article", () => {
  let db: Database;
  let answerer: Answerer;
  beforeAll(async () => {
    db = await openPglite("memory://", seeded().pgliteSeed);
    await migrate(db);
    const logger = createLogger("silent");
    await runIngest({ store: createCorpusStore(db), corpusDir: "corpus", logger });
    const abbreviations = loadAbbreviations();
    answerer = createAnswerer({
      retriever: createRetriever({ db, abbreviations }),
      conversations: createConversationStore(db),
      abbreviations,
      logger,
      options: { topK: 5 },
    });
  });
  afterAll(() => db.close());

  it("says the growth figure first, in bold, inside the quoted sentence", async () => {
    const a = await answerer.answer({ question: "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?" });
    expect(a.shortAnswer).toBe("từ 11% trở lên");
    expect(a.answer.startsWith("**từ 11% trở lên** — ")).toBe(true);
    expect(a.citations[0]?.quote).toContain(a.shortAnswer);
    expect(a.confidence).toBeGreaterThan(0);
  });

  it("gives the count of what is asked, not another figure of the same sentence", async () => {
    // "12 nhóm nhiệm vụ chủ yếu, thay cho 10 nhóm nhiệm vụ trước đây"
    const groups = await answerer.answer({ question: "Hà Nội có mấy nhóm nhiệm vụ?" });
    expect(groups.shortAnswer).toBe("12 nhóm nhiệm vụ");
    expect(groups.citations[0]?.quote).toContain(groups.shortAnswer);
    // "tới 1.605 điểm cầu, với sự tham gia của 1.662.336 cán bộ, đảng viên"
    const points = await answerer.answer({ question: "Hà Nội có bao nhiêu điểm cầu?" });
    expect(points.shortAnswer).toBe("1.605 điểm cầu");
    const members = await answerer.answer({ question: "Bao nhiêu cán bộ, đảng viên tham gia?" });
    expect(members.shortAnswer).toMatch(/^1\.662\.336 cán bộ/);
    const targets = await answerer.answer({ question: "Chương trình có bao nhiêu chỉ tiêu chủ yếu?" });
    expect(targets.shortAnswer).toBe("43 chỉ tiêu chủ yếu");
  });

  it("corrects a wrong figure in a yes/no check and confirms the right one", async () => {
    const wrong = await answerer.answer({ question: "Chương trình có 45 chỉ tiêu chủ yếu phải không?" });
    expect(wrong.verdict).toBe("false");
    expect(wrong.answer).toMatch(/^\*\*Không đúng:\*\* tài liệu ghi 43 chỉ tiêu chủ yếu.*không phải 45/);
    expect(wrong.citations[0]?.quote).toContain("43 chỉ tiêu chủ yếu");
    const right = await answerer.answer({ question: "Chương trình có 43 chỉ tiêu chủ yếu đúng không?" });
    expect(right.verdict).toBe("true");
    expect(right.answer.startsWith("**Đúng.**")).toBe(true);
  });

  it("settles yes/no checks of names, counts in words and the figure the question's words stand by", async () => {
    const check = (question: string) => answerer.answer({ question });
    const person = await check("Bí thư Thành ủy Hà Nội là Nguyễn Văn Phong phải không?");
    expect(person.answer).toMatch(
      /^\*\*Không đúng:\*\* tài liệu ghi Nguyễn Duy Ngọc, không phải Nguyễn Văn Phong\./,
    );
    expect((await check("Bí thư Thành ủy Hà Nội là Nguyễn Duy Ngọc phải không?")).verdict).toBe("true");
    const annexes = await check("Chương trình có bốn phụ lục đúng không?");
    expect(annexes.answer).toMatch(/^\*\*Không đúng:\*\* tài liệu ghi ba phụ lục, không phải bốn\./);
    expect((await check("Chương trình có ba phụ lục đúng không?")).verdict).toBe("true");
    expect((await check("Chương trình xác lập bảy định hướng chiến lược phải không?")).answer).toMatch(
      /^\*\*Không đúng:\*\* tài liệu ghi năm định hướng chiến lược, không phải bảy\./,
    );
    // "12 nhóm nhiệm vụ chủ yếu, thay cho 10 nhóm nhiệm vụ trước đây"
    expect((await check("Có 12 nhóm nhiệm vụ trước đây phải không?")).answer).toMatch(
      /^\*\*Không đúng:\*\* tài liệu ghi 10 nhóm nhiệm vụ trước đây, không phải 12\./,
    );
    // settled by "Hai nhóm nhiệm vụ được bổ sung …", quoted alone, though another sentence ranks first
    const added = await check("Có ba nhóm nhiệm vụ được bổ sung phải không?");
    expect(added.answer).toMatch(/^\*\*Không đúng:\*\* tài liệu ghi hai nhóm nhiệm vụ, không phải ba\./);
    expect(added.citations).toHaveLength(1);
    expect(added.citations[0]?.quote).toMatch(/^Hai nhóm nhiệm vụ được bổ sung/);
    // a thousands dot is not the end of a sentence: the check is of 1.605, not of 605
    expect((await check("Hội nghị triển khai tới 1.605 điểm cầu đúng không?")).verdict).toBe("true");
    expect((await check("Hội nghị triển khai tới 2.000 điểm cầu đúng không?")).answer).toMatch(
      /^\*\*Không đúng:\*\* tài liệu ghi 1.605 điểm cầu, không phải 2.000\./,
    );
  });

  it("settles the same checks typed without diacritics", async () => {
    const check = (question: string) => answerer.answer({ question });
    expect((await check("chuong trinh co bon phu luc dung khong")).answer).toMatch(
      /^\*\*Không đúng:\*\* tài liệu ghi ba phụ lục, không phải bon\./,
    );
    expect((await check("to chuc thuc hien theo bon truc phai khong")).verdict).toBe("true");
    // "ba" is not stated by the likeliest sentence ("Các nhóm nhiệm vụ còn lại được bổ sung …"),
    // so the one that states the count settles it
    expect((await check("co ba nhom nhiem vu duoc bo sung phai khong")).answer).toMatch(
      /^\*\*Không đúng:\*\* tài liệu ghi hai nhóm nhiệm vụ, không phải ba\./,
    );
    // no capitals to tell a name by: the sentence must still state the check's weightiest words
    const person = await check("bi thu thanh uy ha noi la nguyen van phong phai khong");
    expect(person.verdict).toBeUndefined();
    expect(person.found).toBe(false);
    expect((await check("bi thu thanh uy ha noi la nguyen duy ngoc phai khong")).verdict).toBe("true");
    // "mấy" typed "may", with no question mark: still a question with its short answer first
    expect((await check("chuong trinh moi co may nhom nhiem vu")).shortAnswer).toBe("12 nhóm nhiệm vụ");
  });

  it("does not confirm a check about another city, typed with or without diacritics", async () => {
    for (const question of [
      "Đà Nẵng có 43 chỉ tiêu chủ yếu phải không?",
      "đà nẵng có 43 chỉ tiêu chủ yếu phải không",
      "da nang co 43 chi tieu chu yeu phai khong",
    ]) {
      const a = await answerer.answer({ question });
      expect(a.found, question).toBe(false);
      expect(a.verdict, question).toBeUndefined();
    }
    expect((await answerer.answer({ question: "ha noi co 43 chi tieu chu yeu phai khong" })).verdict).toBe(
      "true",
    );
  });

  it("corrects a wrong percentage in a yes/no check", async () => {
    const a = await answerer.answer({ question: "Hà Nội phấn đấu tăng trưởng 9% phải không?" });
    expect(a.verdict).toBe("false");
    expect(a.answer).toMatch(/^\*\*Không đúng:\*\* tài liệu ghi từ 11% trở lên, không phải 9%\./);
    expect(a.citations[0]?.quote).toContain("từ 11% trở lên");
  });

  it("shows a list whole, not cut after its first item", async () => {
    const a = await answerer.answer({ question: "Hai nhóm nhiệm vụ mới là gì?" });
    // "… gồm: phát huy dân chủ …, xây dựng thế trận lòng dân vững chắc; tiếp tục xây dựng, hoàn
    // thiện Nhà nước pháp quyền …": both groups, the second after the semicolon
    expect(a.answer).toContain("phát huy dân chủ xã hội chủ nghĩa");
    expect(a.answer).toContain("hoàn thiện Nhà nước pháp quyền xã hội chủ nghĩa");
    const axes = await answerer.answer({ question: "Bốn trục tổ chức thực hiện gồm những ai?" });
    // four of them: no one name is put first as the answer
    expect(axes.shortAnswer).toBeUndefined();
    expect(axes.answer).toContain("Đảng, HĐND, UBND và MTTQ");
  });

  it("refuses another city's target instead of answering with Hanoi's", async () => {
    const a = await answerer.answer({
      question: "Thành phố Hồ Chí Minh đặt mục tiêu tăng trưởng bao nhiêu?",
    });
    expect(a.found).toBe(false);
    expect(a.citations).toEqual([]);
  });
});

describe("npm run eval:viquad", () => {
  it("scores a small CSV end to end and prints one JSON object", async () => {
    const dir = await mkdtemp(join(tmpdir(), "viquad-cli-"));
    try {
      const file = join(dir, "mini.csv");
      const para = (title: string, text: string) =>
        `"[{'idx': 0, 'title': '${title}', 'paragraph_text': '${text}'}]"`;
      const p1 = para(
        "Hồ Quý Ly",
        "Cuối năm Bính Tuất (ngày 20 tháng 1 năm 1407) thành Đa Bang thất thủ. Quân Minh vượt sông Hồng.",
      );
      const p2 = para(
        "Chùa Kim Giác",
        "Chùa Kim Giác là một ngôi chùa cổ nằm ở tỉnh Bạc Liêu, xây năm 1890.",
      );
      await writeFile(
        file,
        [
          "paragraphs,question,answer",
          `${p1},Thành Đa Bang thất thủ vào năm nào?,'năm 1407'`,
          `${p2},Chùa Kim Giác nằm ở tỉnh nào?,'Bạc Liêu'`,
          `${p2},Chùa Kim Giác được trùng tu vào năm nào?,''`,
        ].join("\n"),
      );
      const { stdout } = await run(
        process.execPath,
        [...entryArgs("src/cli/eval-viquad.ts"), "--csv", file, "--json"],
        {
          env: { ...process.env, DATABASE_URL: "" },
        },
      ).catch((e: { stdout: string }) => e);
      const report = JSON.parse(stdout.trim().split("\n").at(-1) as string);
      expect(report).toMatchObject({
        questions: 3,
        answerable: 2,
        unanswerable: 1,
        paragraphs: 2,
        engine: "pglite",
      });
      expect(report.hit).toBe(1);
      expect(report.paragraphR1).toBe(1);
      expect(Array.isArray(report.failures)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
