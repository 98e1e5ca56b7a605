"use client";

import { useEffect, useState } from "react";

export type UseNowParameters = {
  /** How often the value moves on, ms. */
  intervalMs: number;
};

/** The browser's clock (ms since epoch), re-rendering every `intervalMs`: for ages and progress of live things. */
export function useNow({ intervalMs }: UseNowParameters): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
