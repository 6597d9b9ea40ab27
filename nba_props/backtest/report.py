"""The backtest report: a table per system and market, and plots, in Markdown and HTML.

Every number comes from the dbt grading marts (prediction_accuracy), i.e. the same grading
as production: the line and odds recorded with each prediction, voids excluded from the
errors and the stakes.

A report on the SYNTHETIC demo data says so in every title (the report's, the page's and
each plot's): the warehouse's load manifest (``nba_raw._load_manifest``) records every
loaded file, and the demo generator names its files ``synthetic_*``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import matplotlib
import numpy as np

from nba_props.backtest.config import BacktestConfig, system_ids, system_versions
from nba_props.backtest.evaluation import (
    DEVIG_HEADER,
    SCORE_HEADER,
    STAKING_HEADER,
    Evaluation,
    Gates,
    evaluate,
)
from nba_props.backtest.metrics import reliability
from nba_props.backtest.queries import graded_rows_sql
from nba_props.orchestrate.reference import REFERENCE_TABLES
from nba_props.predict.devig import no_vig_over
from nba_props.predict.distribution import implied_mean as anchor_mean
from nba_props.predict.frame import Frame
from nba_props.predict.probability import implied_mean
from nba_props.predict.worker import DateResult
from nba_props.relations import LOAD_MANIFEST

matplotlib.use("Agg")
import matplotlib.pyplot as plt

BREAK_EVEN_110 = 110 / 210
SYNTHETIC = "SYNTHETIC demo data"
COLORS = {
    "moving_average": "#1f77b4",
    "gradient_boosting": "#d62728",
    "similarity": "#2ca02c",
    "ensemble": "#9467bd",
    "market_anchored": "#ff7f0e",
}


def data_origin(database: Path) -> str | None:
    """``SYNTHETIC`` when a game or line file loaded into the warehouse is a demo file
    (named ``synthetic_*`` in ``nba_raw._load_manifest``), else None (real data, or no
    manifest to tell). Reference tables (the player registry, aliases) say nothing about
    the games graded."""
    with duckdb.connect(str(database), read_only=True) as con:
        try:
            row = con.execute(
                f"select count(*) from {LOAD_MANIFEST} "  # noqa: S608
                "where regexp_matches(source_file, '(^|[/\\\\])synthetic_[^/\\\\]*$') "
                "and raw_table not in (select unnest(?::varchar[]))",
                [sorted(REFERENCE_TABLES)],
            ).fetchone()
        except duckdb.CatalogException:
            return None
    return SYNTHETIC if row and row[0] else None


def _titled(text: str, origin: str | None) -> str:
    return f"{text} ({origin})" if origin else text


def _rows(database: Path, config: BacktestConfig, dates: Sequence[date]) -> Frame:
    pairs = system_versions(config)
    sql = graded_rows_sql(len(config.markets), len(pairs))
    params = [min(dates), max(dates), *config.markets, *(x for pair in pairs for x in pair)]
    with duckdb.connect(str(database), read_only=True) as con:
        table = con.sql(sql, params=params)
        return Frame.from_arrow(table.to_arrow_table())


def _metrics(rows: Frame, mask: np.ndarray) -> dict[str, Any]:
    graded = mask & (rows["grade_status"] == "graded")
    ae = rows["absolute_error"][graded]
    line_ae = rows["line_absolute_error"][graded]
    signed = rows["signed_error"][graded]
    result = rows["bet_result"][mask]
    wins = int(np.sum(result == "win"))
    losses = int(np.sum(result == "loss"))
    pushes = int(np.sum(result == "push"))
    staked = float(np.sum(rows["units_staked"][mask]))
    profit = float(np.nansum(rows["profit_units"][mask]))
    decided = wins + losses
    hit = wins / decided if decided else math.nan
    diff = ae - line_ae
    lean = rows["lean_result"][graded]
    lean_w, lean_l = int(np.sum(lean == "win")), int(np.sum(lean == "loss"))
    return {
        "predictions": int(mask.sum()),
        "graded": int(graded.sum()),
        "void": int(np.sum(rows["grade_status"][mask] == "void")),
        "mae": float(np.mean(ae)) if len(ae) else math.nan,
        "line_mae": float(np.mean(line_ae)) if len(line_ae) else math.nan,
        "mae_minus_line": float(np.mean(diff)) if len(diff) else math.nan,
        "mae_minus_line_se": float(np.std(diff, ddof=1) / math.sqrt(len(diff)))
        if len(diff) > 1 else math.nan,
        "bias": float(np.mean(signed)) if len(signed) else math.nan,
        "closer_than_line": float(np.mean(ae < line_ae)) if len(ae) else math.nan,
        "plays": wins + losses + pushes,
        "wins": wins,
        "losses": losses,
        "pushes": pushes,
        "hit_rate": hit,
        "hit_rate_se": math.sqrt(hit * (1 - hit) / decided) if decided else math.nan,
        "units_staked": staked,
        "profit_units": profit,
        "roi": profit / staked if staked else math.nan,
        "lean_hit_rate": lean_w / (lean_w + lean_l) if lean_w + lean_l else math.nan,
    }


def _market_reference(rows: Frame, mask: np.ndarray, devig: str | None = None) -> dict[str, Any]:
    """The market's own mean (line + de-vigged odds) taken as the prediction: a fairer
    benchmark than the line for MAE, since a half-point line can never be exact.

    devig None: the Poisson mean at which P(X > line) is the multiplicative fair P(over)
    (the reference kept from the first backtests); else the Poisson mean at which
    P(over | no push) is the fair probability of that de-vig method, i.e. the
    market-anchored system's anchor (that system with 0 residual trees)."""
    graded = mask & (rows["grade_status"] == "graded")
    if devig is None:
        implied = implied_mean(rows["line"][graded], rows["over_odds"][graded],
                               rows["under_odds"][graded])
    else:
        fair = no_vig_over(rows["over_odds"][graded], rows["under_odds"][graded], devig)
        implied = anchor_mean(rows["line"][graded], fair, 1.0)
    actual = rows["actual_value"][graded]
    ae = np.abs(implied - actual)
    line_ae = rows["line_absolute_error"][graded]
    diff = ae - line_ae
    nan = math.nan
    return {
        "predictions": int(mask.sum()), "graded": int(graded.sum()), "void": 0,
        "mae": float(np.mean(ae)) if len(ae) else nan,
        "line_mae": float(np.mean(line_ae)) if len(ae) else nan,
        "mae_minus_line": float(np.mean(diff)) if len(diff) else nan,
        "mae_minus_line_se": float(np.std(diff, ddof=1) / math.sqrt(len(diff)))
        if len(diff) > 1 else nan,
        "bias": float(np.mean(implied - actual)) if len(ae) else nan,
        "closer_than_line": float(np.mean(ae < line_ae)) if len(ae) else nan,
        "plays": 0, "wins": 0, "losses": 0, "pushes": 0, "hit_rate": nan, "hit_rate_se": nan,
        "units_staked": 0.0, "profit_units": 0.0, "roi": nan, "lean_hit_rate": nan,
    }


MARKET_REFERENCE = "market (odds-implied mean)"
ANCHOR_REFERENCE = "market ({} de-vig, anchor)"


def summarise(rows: Frame, markets: Sequence[str], systems: Sequence[str],
              devig: str = "power") -> list[dict]:
    """Per market: each system, then the market's implied mean as a reference row, and
    the market-anchored system's anchor (its de-vig method) as a second one."""
    out = []
    for market in markets:
        for system in systems:
            mask = (rows["market"] == market) & (rows["system_id"] == system)
            if mask.any():
                out.append({"market": market, "system": system, **_metrics(rows, mask)})
        first = (rows["market"] == market) & (rows["system_id"] == systems[0]) if systems else None
        if first is not None and first.any():
            out.append({"market": market, "system": MARKET_REFERENCE,
                        **_market_reference(rows, first)})
            out.append({"market": market, "system": ANCHOR_REFERENCE.format(devig),
                        **_market_reference(rows, first, devig)})
    return out


def monthly_mae(rows: Frame, market: str, systems: Sequence[str]) -> tuple[list[str],
                                                                         list[list[str]]]:
    """MAE by calendar month: each system, the line and the market's implied mean."""
    graded = (rows["market"] == market) & (rows["grade_status"] == "graded")
    months = rows["game_date"].astype("datetime64[M]")
    header = ["month", "graded", *systems, "line", MARKET_REFERENCE]
    out = []
    first = graded & (rows["system_id"] == systems[0])
    for month in np.unique(months[first]):
        ref = first & (months == month)
        implied = implied_mean(rows["line"][ref], rows["over_odds"][ref], rows["under_odds"][ref])
        cells = [str(month), str(int(ref.sum()))]
        for system in systems:
            sel = graded & (rows["system_id"] == system) & (months == month)
            cells.append(_fmt(float(np.mean(rows["absolute_error"][sel])) if sel.any()
                              else math.nan))
        cells.append(_fmt(float(np.mean(rows["line_absolute_error"][ref]))))
        cells.append(_fmt(float(np.mean(np.abs(implied - rows["actual_value"][ref])))))
        out.append(cells)
    return header, out


def _fmt(value: float, digits: int = 3, pct: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{100 * value:.1f}%" if pct else f"{value:.{digits}f}"


TABLE_HEADER = [
    "market", "system", "graded", "MAE", "line MAE", "MAE - line (±1.96 SE)", "bias",
    "closer than line", "plays", "W-L-P", "hit rate (±1.96 SE)", "ROI", "units",
    "lean hit rate",
]


def table_rows(summary: Sequence[dict]) -> list[list[str]]:
    rows = []
    for s in summary:
        reference = s["system"].startswith("market (")
        rows.append([
            s["market"], s["system"], str(s["graded"]), _fmt(s["mae"]), _fmt(s["line_mae"]),
            f"{s['mae_minus_line']:+.3f} (±{1.96 * s['mae_minus_line_se']:.3f})"
            if not math.isnan(s["mae_minus_line"]) else "-",
            f"{s['bias']:+.3f}" if not math.isnan(s["bias"]) else "-",
            _fmt(s["closer_than_line"], pct=True),
            str(s["plays"]) if not reference else "-",
            f"{s['wins']}-{s['losses']}-{s['pushes']}" if not reference else "-",
            f"{_fmt(s['hit_rate'], pct=True)} (±{100 * 1.96 * s['hit_rate_se']:.1f})"
            if not math.isnan(s["hit_rate"]) else "-",
            _fmt(s["roi"], pct=True),
            f"{s['profit_units']:+.1f}" if not reference else "-",
            _fmt(s["lean_hit_rate"], pct=True),
        ])
    return rows


def _by_date(rows: Frame, mask: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dates = rows["game_date"][mask]
    vals = values[mask]
    days = np.unique(dates)
    sums = np.array([np.nansum(vals[dates == d]) for d in days])
    counts = np.array([np.sum(~np.isnan(vals[dates == d])) for d in days])
    return days, np.stack([sums, counts])


def _rolling(days: np.ndarray, sums: np.ndarray, counts: np.ndarray, window: int = 7):
    out = np.full(len(days), np.nan)
    for i, d in enumerate(days):
        sel = (days > d - np.timedelta64(window, "D")) & (days <= d)
        n = counts[sel].sum()
        out[i] = sums[sel].sum() / n if n else np.nan
    return out


def plot_market(
    rows: Frame, market: str, systems: Sequence[str], out_dir: Path, origin: str | None = None
) -> list[str]:
    """Writes the market's PNGs and returns their file names. ``origin`` (SYNTHETIC) goes in
    every figure's title and in the PNG's Title metadata."""
    files = []
    in_market = rows["market"] == market
    graded = in_market & (rows["grade_status"] == "graded")

    # 1. Daily MAE (7-day rolling) per system, with the line as the prediction.
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for system in systems:
        mask = graded & (rows["system_id"] == system)
        if not mask.any():
            continue
        days, (s, c) = _by_date(rows, mask, rows["absolute_error"])
        ax.plot(days, _rolling(days, s, c), label=system, color=COLORS.get(system))
    first = graded & (rows["system_id"] == systems[0])
    if first.any():
        days, (s, c) = _by_date(rows, first, rows["line_absolute_error"])
        ax.plot(days, _rolling(days, s, c), label="line (as prediction)", color="black",
                linestyle="--")
        implied = np.full(len(rows), np.nan)
        implied[first] = np.abs(
            implied_mean(rows["line"][first], rows["over_odds"][first],
                         rows["under_odds"][first]) - rows["actual_value"][first])
        days, (s, c) = _by_date(rows, first, implied)
        ax.plot(days, _rolling(days, s, c), label=MARKET_REFERENCE, color="grey",
                linestyle=":")
    ax.set_title(f"{market}: MAE, 7-day rolling")
    ax.set_ylabel("mean absolute error")
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    files.append(_save(fig, out_dir / f"daily_mae_{market}.png", origin))

    # 2. Hit rate of the recommended plays: 7-day rolling and cumulative.
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for system in systems:
        mask = in_market & (rows["system_id"] == system)
        decided = np.isin(rows["bet_result"], ["win", "loss"])
        won = np.where(decided, (rows["bet_result"] == "win").astype(float), np.nan)
        if not (mask & decided).any():
            continue
        days, (s, c) = _by_date(rows, mask & decided, won)
        axes[0].plot(days, _rolling(days, s, c), label=system, color=COLORS.get(system))
        axes[1].plot(days, np.cumsum(s) / np.maximum(np.cumsum(c), 1), label=system,
                     color=COLORS.get(system))
    for ax, title in zip(axes, ("7-day rolling", "cumulative"), strict=True):
        ax.axhline(BREAK_EVEN_110, color="grey", linestyle=":", label="break-even at -110")
        ax.set_title(f"{market}: hit rate of plays, {title}")
        ax.set_ylim(0.2, 0.8)
        fig.autofmt_xdate()
    axes[1].legend(fontsize=8)
    files.append(_save(fig, out_dir / f"hit_rate_{market}.png", origin))

    # 3. Reliability: predicted P(over | no push) vs observed share of overs (pushes left
    # out), every bin with a row, marker area and label by the bin's count.
    fig, ax = plt.subplots(figsize=(6.5, 6.0))
    for system in systems:
        mask = graded & (rows["system_id"] == system) & (rows["line_outcome"] != "push")
        if not mask.any():
            continue
        p = rows["prob_over"][mask] / (rows["prob_over"][mask] + rows["prob_under"][mask])
        over = (rows["line_outcome"][mask] == "over").astype(float)
        bins = [b for b in reliability(p, over) if b.n]
        xs = [b.mean_predicted for b in bins]
        ys = [b.observed for b in bins]
        ax.plot(xs, ys, color=COLORS.get(system), label=system, linewidth=1)
        ax.scatter(xs, ys, s=[8 + 60 * np.sqrt(b.n / max(len(p), 1)) * 4 for b in bins],
                   color=COLORS.get(system), alpha=0.7)
        for b in bins:
            ax.annotate(str(b.n), (b.mean_predicted, b.observed), fontsize=6,
                        color=COLORS.get(system), xytext=(3, 3), textcoords="offset points")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
    ax.set_xlabel("predicted P(over | no push)")
    ax.set_ylabel("observed share over")
    ax.set_title(f"{market}: reliability (labels: rows per bin)")
    ax.legend(fontsize=8)
    files.append(_save(fig, out_dir / f"calibration_{market}.png", origin))

    # 4. Each system vs the line as the prediction: MAE bars and the cumulative gap.
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    names, maes = [], []
    for system in systems:
        mask = graded & (rows["system_id"] == system)
        if mask.any():
            names.append(system)
            maes.append(float(np.mean(rows["absolute_error"][mask])))
            days, (s, c) = _by_date(
                rows, mask, rows["absolute_error"] - rows["line_absolute_error"])
            axes[1].plot(days, np.cumsum(s) / np.maximum(np.cumsum(c), 1), label=system,
                         color=COLORS.get(system))
    if first.any():
        names.append("line")
        maes.append(float(np.mean(rows["line_absolute_error"][first])))
    axes[0].bar(names, maes, color=[COLORS.get(n, "black") for n in names])
    axes[0].set_ylim(min(maes) * 0.95 if maes else 0, max(maes) * 1.02 if maes else 1)
    axes[0].set_title(f"{market}: MAE, systems vs the line")
    axes[0].tick_params(axis="x", rotation=20)
    axes[1].axhline(0, color="black", linestyle="--")
    axes[1].set_title("cumulative MAE minus line MAE (< 0 = beats the line)")
    axes[1].legend(fontsize=8)
    fig.autofmt_xdate()
    files.append(_save(fig, out_dir / f"vs_line_{market}.png", origin))

    # 5. Cumulative profit of the plays at the recorded odds.
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for system in systems:
        mask = in_market & (rows["system_id"] == system) & (rows["units_staked"] > 0)
        if not mask.any():
            continue
        days, (s, _) = _by_date(rows, mask, rows["profit_units"])
        ax.plot(days, np.cumsum(s), label=system, color=COLORS.get(system))
    ax.axhline(0, color="black", linestyle="--")
    ax.set_title(f"{market}: cumulative profit (units, 1 unit per play)")
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    files.append(_save(fig, out_dir / f"profit_{market}.png", origin))
    return files


def _save(fig: Any, path: Path, origin: str | None = None) -> str:
    if origin:
        fig.suptitle(origin, color="#b00020", fontweight="bold")
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Title": _titled(path.stem, origin)})
    plt.close(fig)
    return path.name


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _evaluation_markdown(evaluation: Evaluation, explain: Sequence[str]) -> list[str]:
    md = ["## Probabilities, closing-line value and ROI", ""]
    md += [_markdown_table(SCORE_HEADER, evaluation.scores), ""]
    md += [f"- {e}" for e in explain] + [""]
    md += ["## Promotion gate", ""] + [f"- {g}" for g in evaluation.gate] + [""]
    if evaluation.staking:
        md += ["## Staking policies (all markets of a system, bankroll 100 units)", "",
               _markdown_table(STAKING_HEADER, evaluation.staking), "",
               "- flat: 1 unit a play; quarter_kelly: a quarter of the Kelly fraction of the "
               "bankroll; capped_kelly: the Kelly fraction capped at 2% a play and 5% a game. "
               "Plays of a day are sized from the bankroll at its start. max drawdown: the "
               "largest fall from a running peak; log growth: ln(final / initial bankroll).", ""]
    if evaluation.devig:
        md += ["## De-vig methods: calibration of the market's fair P(over)", "",
               _markdown_table(DEVIG_HEADER, evaluation.devig), "",
               f"- {evaluation.devig_verdict}", ""]
    return md


def _evaluation_html(evaluation: Evaluation, explain: Sequence[str]) -> list[str]:
    body = ["<h2>Probabilities, closing-line value and ROI</h2>",
            _html_table(SCORE_HEADER, evaluation.scores), "<ul>"]
    body += [f"<li>{html.escape(e)}</li>" for e in explain] + ["</ul>"]
    body += ["<h2>Promotion gate</h2><ul>"]
    body += [f"<li>{html.escape(g)}</li>" for g in evaluation.gate] + ["</ul>"]
    if evaluation.staking:
        body += ["<h2>Staking policies</h2>", _html_table(STAKING_HEADER, evaluation.staking)]
    if evaluation.devig:
        body += ["<h2>De-vig methods</h2>", _html_table(DEVIG_HEADER, evaluation.devig),
                 f"<p>{html.escape(evaluation.devig_verdict)}</p>"]
    return body


def write_report(
    database: Path,
    config: BacktestConfig,
    out_dir: Path,
    *,
    dates: Sequence[date],
    date_results: Sequence[DateResult],
    seconds: float,
    notes: Sequence[str] = (),
    gates: Gates | None = None,
) -> tuple[Path, list[dict]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = _rows(database, config, dates)
    origin = data_origin(database)
    systems = [s for s in system_ids(config) if (rows["system_id"] == s).any()]
    summary = summarise(rows, config.markets, systems, config.devig_method)
    evaluation = evaluate(rows, config.markets, systems, gates or {}, config.devig_method)
    scored = {(e["market"], e["system"]): e for e in evaluation.summary}
    for entry in summary:
        entry.update({k: v for k, v in scored.get((entry["market"], entry["system"]),
                                                  {}).items()
                      if k not in ("market", "system", "plays", "roi")})
    images = {m: plot_market(rows, m, systems, out_dir, origin) for m in config.markets
              if (rows["market"] == m).any()}
    skipped = [r for r in date_results if r.skipped_reason]
    cutoffs = sorted({r.training_cutoff for r in date_results if r.training_cutoff})
    versions = sorted({v for r in date_results for v in r.model_versions.values()})
    settings = config.settings()
    meta = [
        ("data", origin + ": generated by nba_props.demo, not real games, players or lines"
         if origin else f"loaded files ({LOAD_MANIFEST}): no synthetic_* file"),
        ("season", config.season),
        ("markets", ", ".join(config.markets)),
        ("game dates predicted", f"{len(dates) - len(skipped)} ({min(dates)} .. {max(dates)})"),
        ("dates skipped", f"{len(skipped)} (no line at the prediction time, or too little "
                          "history to train)"),
        ("prediction time (lines used)", config.line_as_of + (
            " (the last pre-game line of the preferred book)"
            if config.line_as_of == "closing" else " UTC on the game date")),
        ("walk-forward", f"retrained every {settings.retrain_every_days} days "
                         f"({len(cutoffs)} models per system), trained on games strictly "
                         "before each cut-off"),
        ("edge threshold", f"{config.edge_threshold:.3f} probability over break-even"),
        ("probabilities", f"de-vig {config.devig_method}, calibration {config.calibration} "
                          "(per market, fitted on held-out predictions before each cut-off); "
                          "plays only where the system is promoted"),
        ("seed", str(config.seed)),
        ("model versions", str(len(versions))),
        ("runtime", f"{seconds:.0f} s (predict + grade)"),
    ]
    table = table_rows(summary)
    explain = [
        "MAE: mean absolute error of the predicted value against the actual stat, graded "
        "rows only (voids excluded). line MAE: the same for the line used by the same "
        "predictions, taken as the prediction. MAE - line < 0 means the system is closer "
        "than the line; the ± is 1.96 standard errors of the paired difference.",
        "plays: OVER/UNDER recommendations settled win, loss or push at the recorded odds "
        "(1 unit each). hit rate = wins / (wins + losses). ROI = profit / units staked. "
        "Break-even at -110 is 52.4%.",
        "lean hit rate: every graded prediction, on the side it leans to (played or not). "
        "It ignores the price: leaning to a juiced favourite wins often and still loses money.",
        f"{MARKET_REFERENCE}: the Poisson mean at which the over's de-vigged probability "
        "(from the recorded odds) is P(X > line), taken as the prediction. A half-point line "
        "is never exactly right, so beating the line's MAE is easy; this row is the market's "
        "own point estimate, the benchmark a system has to beat to know more than the book.",
        f"{ANCHOR_REFERENCE.format(config.devig_method)}: the Poisson mean at which "
        "P(over | no push) is the fair probability of that de-vig method: the "
        "market-anchored system's anchor (that system with no residual trees). The gap "
        "between the two market rows is the de-vig reading alone; market_anchored minus "
        "this row is what its residual model adds.",
    ]
    explain_scores = [
        "Brier and log-loss of P(over | no push) on graded rows that settled over or under; "
        "market: the no-vig probability of the recorded prices (de-vig "
        f"{config.devig_method}; the multiplicative column is what the dbt marts report). "
        "Brier skill = 1 - Brier / market Brier: above 0 only if the system's probabilities "
        "beat the market's own.",
        "ROI of the plays at the recorded odds (1 unit each), with a 95% bootstrap interval "
        "over game dates. CLV line: line points gained against the same book's last "
        "pre-tip quote (OVER: close - line); CLV prob: the no-vig probability of the play's "
        "side at the close minus at prediction time, when the line did not move. In a "
        "closing-line backtest the prediction line is the close, so CLV is 0 by "
        "construction; it means something only with --line-as-of HH:MM and a line history.",
        "gate: a system plays a market only when its held-out Brier skill (cross-fitted on "
        "the latest training dates before the cut-off) is above 0; 'k of n' models (one per "
        "retraining) were promoted.",
    ]
    title = _titled(f"Backtest: {config.season}, {', '.join(config.markets)}", origin)
    md = [f"# {title}", ""]
    md += [f"- **{k}**: {v}" for k, v in meta] + [""]
    md += [_markdown_table(TABLE_HEADER, table), ""]
    md += [f"- {e}" for e in explain] + [""]
    md += _evaluation_markdown(evaluation, explain_scores)
    if notes:
        md += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    monthly = {m: monthly_mae(rows, m, systems) for m in images}
    for market, files in images.items():
        md += [f"## {market}", "", "MAE by month:", ""]
        md += [_markdown_table(*monthly[market]), ""]
        if market in evaluation.reliability:
            md += ["Reliability of P(over | no push): rows, mean predicted -> observed over "
                   "rate per bin:", "", _markdown_table(*evaluation.reliability[market]), ""]
        md += [f"![{f}]({f})" for f in files] + [""]
    md_path = out_dir / "report.md"
    md_path.write_text("\n".join(md), encoding="utf-8")

    body = [f"<h1>{html.escape(title)}</h1>", "<ul>"]
    body += [f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in meta]
    body += ["</ul>", _html_table(TABLE_HEADER, table), "<ul>"]
    body += [f"<li>{html.escape(e)}</li>" for e in explain] + ["</ul>"]
    body += _evaluation_html(evaluation, explain_scores)
    if notes:
        body += ["<h2>Notes</h2><ul>"] + [f"<li>{html.escape(n)}</li>" for n in notes]
        body += ["</ul>"]
    for market, files in images.items():
        body += [f"<h2>{html.escape(market)}</h2><p>MAE by month:</p>",
                 _html_table(*monthly[market])]
        if market in evaluation.reliability:
            body += ["<p>Reliability of P(over | no push): rows, mean predicted -> observed "
                     "over rate per bin:</p>", _html_table(*evaluation.reliability[market])]
        body += [f'<img src="{html.escape(f)}" alt="{html.escape(f)}">' for f in files]
    style = ("body{font-family:sans-serif;max-width:1300px;margin:auto}"
             "table{border-collapse:collapse;font-size:13px}"
             "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
             "img{max-width:100%;display:block;margin:8px 0}")
    (out_dir / "report.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>",
        encoding="utf-8",
    )
    return md_path, summary
