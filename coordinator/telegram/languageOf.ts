/**
 * The bot's reply languages and how a Telegram user's `language_code` picks one. Apart
 * from the message catalog so the subscription store can keep a chat's language
 * without importing the catalog (which imports the store's topics).
 */
export type Lang = "en" | "ru";

/** Russian for `ru…` language codes (and the closest locales whose users usually read it), English otherwise. */
export function languageOf(code: string | undefined): Lang {
  const base = (code ?? "").toLowerCase().split(/[-_]/)[0];
  return base === "ru" || base === "be" || base === "uk" || base === "kk" ? "ru" : "en";
}
