import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import { FedAvg } from "./fedAvg.ts";
import type { FitConfig, StrategyName } from "./strategy.ts";

/**
 * FedProx: FedAvg on the server, plus a proximal term μ/2·‖w − w_global‖² in every
 * client's local objective to limit drift on heterogeneous data. Li et al. (2020),
 * "Federated Optimization in Heterogeneous Networks".
 *
 * @param options.proximalMu - μ ≥ 0 (0 reduces to FedAvg), sent to clients each round.
 */
export class FedProx extends FedAvg {
  override readonly name: StrategyName = "fedprox";
  readonly proximalMu: number;

  constructor(options: { proximalMu: number }) {
    super();
    if (!(options.proximalMu >= 0) || !Number.isFinite(options.proximalMu)) {
      throw new InvalidStrategyConfigError({ strategy: "fedprox", field: "proximalMu", reason: `must be a finite number ≥ 0, got ${options.proximalMu}` });
    }
    this.proximalMu = options.proximalMu;
  }

  override fitConfig(_round: number): FitConfig {
    return { proximalMu: this.proximalMu };
  }

  override summary(): Record<string, number | string | boolean> {
    return { strategy: "fedprox", proximalMu: this.proximalMu };
  }
}
