"use client";

import { createContext } from "react";
import { runtimeConfig, type RuntimeConfig } from "../synod.config.ts";

/** The run-time config the server rendered the page with. */
export const SynodConfigContext = createContext<RuntimeConfig>(runtimeConfig({}));
