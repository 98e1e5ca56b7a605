"use client";

import { useContext } from "react";
import { SynodConfigContext } from "../components/SynodConfigContext.tsx";
import type { RuntimeConfig } from "../synod.config.ts";

export type UseSynodConfigReturnType = RuntimeConfig;

/** The run-time config (RPC, gateway and coordinator URLs, event range). */
export function useSynodConfig(): UseSynodConfigReturnType {
  return useContext(SynodConfigContext);
}
