import { foldDiacritics } from "./fold-diacritics.ts";
import { unifyToneMarks } from "./normalize-vietnamese.ts";

/**
 * Việt Nam's provinces and centrally-run cities (the 63 before the 2025 merger, whose names the
 * 34 after it keep), with the names people also use for them. A question that names one of these
 * names a place even typed in lower case or without diacritics ("da nang co bao nhieu …"), where
 * capital letters cannot tell.
 */
export const VIETNAM_PLACES: readonly (readonly string[])[] = [
  ["Hà Nội", "Thủ đô"],
  ["Thành phố Hồ Chí Minh", "TP.HCM", "TP HCM", "TPHCM", "Hồ Chí Minh", "Sài Gòn"],
  ["Hải Phòng"],
  ["Đà Nẵng"],
  ["Cần Thơ"],
  ["Huế", "Thừa Thiên Huế"],
  ["An Giang"],
  ["Bà Rịa - Vũng Tàu", "Bà Rịa", "Vũng Tàu"],
  ["Bắc Giang"],
  ["Bắc Kạn"],
  ["Bạc Liêu"],
  ["Bắc Ninh"],
  ["Bến Tre"],
  ["Bình Định"],
  ["Bình Dương"],
  ["Bình Phước"],
  ["Bình Thuận"],
  ["Cà Mau"],
  ["Cao Bằng"],
  ["Đắk Lắk"],
  ["Đắk Nông"],
  ["Điện Biên"],
  ["Đồng Nai"],
  ["Đồng Tháp"],
  ["Gia Lai"],
  ["Hà Giang"],
  ["Hà Nam"],
  ["Hà Tĩnh"],
  ["Hải Dương"],
  ["Hậu Giang"],
  ["Hòa Bình"],
  ["Hưng Yên"],
  ["Khánh Hòa"],
  ["Kiên Giang"],
  ["Kon Tum"],
  ["Lai Châu"],
  ["Lâm Đồng"],
  ["Lạng Sơn"],
  ["Lào Cai"],
  ["Long An"],
  ["Nam Định"],
  ["Nghệ An"],
  ["Ninh Bình"],
  ["Ninh Thuận"],
  ["Phú Thọ"],
  ["Phú Yên"],
  ["Quảng Bình"],
  ["Quảng Nam"],
  ["Quảng Ngãi"],
  ["Quảng Ninh"],
  ["Quảng Trị"],
  ["Sóc Trăng"],
  ["Sơn La"],
  ["Tây Ninh"],
  ["Thái Bình"],
  ["Thái Nguyên"],
  ["Thanh Hóa"],
  ["Tiền Giang"],
  ["Trà Vinh"],
  ["Tuyên Quang"],
  ["Vĩnh Long"],
  ["Vĩnh Phúc"],
  ["Yên Bái"],
];

/** Lower case, NFC, "hoà" and "hòa" alike, punctuation as spaces; folded when asked. */
function key(text: string, fold: boolean): string {
  const lower = unifyToneMarks(text.toLowerCase())
    .replace(/[^\p{L}\p{M}\d]+/gu, " ")
    .trim();
  return fold ? foldDiacritics(lower) : lower;
}

const MARKED = VIETNAM_PLACES.map((forms) => forms.map((f) => key(f, false)));
const FOLDED = VIETNAM_PLACES.map((forms) => forms.map((f) => key(f, true)));

/**
 * The places of VIETNAM_PLACES a question names, each as the forms it may take in a text. Typed
 * with diacritics, a place must be written with them ("đã nâng" is not "Đà Nẵng"); typed without,
 * it is found by its folded name, and so are its forms.
 */
export function placesIn(question: string): string[][] {
  const marked = key(question, false);
  const typedWithMarks = foldDiacritics(marked) !== marked;
  const text = ` ${typedWithMarks ? marked : key(question, true)} `;
  const names = typedWithMarks ? MARKED : FOLDED;
  const found: string[][] = [];
  names.forEach((forms, i) => {
    if (forms.some((f) => text.includes(` ${f} `)))
      found.push(typedWithMarks ? [...(VIETNAM_PLACES[i] as string[])] : (FOLDED[i] as string[]));
  });
  return found;
}
