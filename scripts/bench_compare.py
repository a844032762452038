#!/usr/bin/env python3
"""The ungrouped SIPAS report (METHOD.md §3–§4) computed by DuckDB and by pandas on the service's
Parquet export, timed side by side with the service's own report, in one run; the numbers are
checked against the service's JSON and the script exits non-zero when they do not agree.

Run by scripts/bench (which makes target/bench-venv with scripts/requirements-bench.txt). By hand:

    target/bench-venv/bin/python scripts/bench_compare.py --url http://127.0.0.1:8080 \
        --token TOKEN --form sipas-dich-vu --form-file survey-forms/sipas-dich-vu.toml \
        --parquet export.parquet

What is computed, exactly as src/analytics/indices.rs does for a form with
index_method = "top2_share" and every weight 1 (the Parquet export has no weight column: every
response is stored with weight 1 today):
- per item i: n_i answered (1–5), s_i answered 4 or 5, p_i = 100·s_i/n_i, the 1–5 counts, the mean
  score, the Wilson 95 % interval on s_i/n_i (z = 1.96);
- element = mean of its items' p_i with n_i > 0; part = mean of its elements; form index = mean of
  its parts;
- the variance of every index by linearisation over respondents: with coefficients c_i (the index
  is Σ c_i·p_i), u_r = Σ_{i answered by r} c_i·(100·[y_ri ≥ 4] − p_i)/n_i,
  Var = N/(N−1)·Σ_r u_r², interval = value ± 1.96·√Var clipped to [0, 100].

Checks: the item counts (n, satisfied, distribution) must equal the service's exactly; every value
recomputed at full precision from the service's own counts must equal DuckDB's and pandas' to
1e-6; and every value and interval bound the service shows (rounded to 2 decimals) must equal
DuckDB's and pandas' rounded the same way.
"""

import argparse
import json
import math
import statistics
import sys
import time
import tomllib
import urllib.request

import duckdb
import numpy as np
import pandas as pd

Z95 = 1.96
RUNS = 5


def load_form(path):
    with open(path, "rb") as f:
        form = tomllib.load(f)
    if form.get("index_method", "top2_share") != "top2_share":
        sys.exit(f"{path}: only top2_share forms are compared here")
    parts = [
        (p["code"], [(e["code"], [i["code"] for i in e["items"]]) for e in p["elements"]])
        for p in form["parts"]
    ]
    return parts


def items_of(parts):
    return [i for _, elements in parts for _, items in elements for i in items]


def coefficients(parts, present):
    """Coefficient vectors (name → {item: c}) of every element, part and the form, over the items
    with n > 0, as indices_for_group builds them."""
    coefs = {}
    part_vectors = []
    for pcode, elements in parts:
        existing = []
        for ecode, items in elements:
            answered = [i for i in items if present[i]]
            c = {i: 1.0 / len(answered) for i in answered}
            coefs[("element", ecode)] = c
            if answered:
                existing.append(c)
        if existing:
            pc = {}
            for c in existing:
                for i, v in c.items():
                    pc[i] = pc.get(i, 0.0) + v / len(existing)
            coefs[("part", pcode)] = pc
            part_vectors.append(pc)
    fc = {}
    for pc in part_vectors:
        for i, v in pc.items():
            fc[i] = fc.get(i, 0.0) + v / len(part_vectors)
    coefs[("form", "")] = fc
    return coefs


def wilson(p, n):
    if n <= 0:
        return None
    z2 = Z95 * Z95
    den = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / den
    half = Z95 / den * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    clip = lambda x: min(100.0, max(0.0, x))
    return (clip(100.0 * (centre - half)), clip(100.0 * (centre + half)))


def finish(parts, stats, responses, sum_u2_of):
    """From the item statistics (code → dict n, sat, d1..d5, sumv) and a function giving Σu² of a
    coefficient vector, the report as nested dicts of full-precision numbers."""
    items = items_of(parts)
    p = {i: (100.0 * stats[i]["sat"] / stats[i]["n"]) if stats[i]["n"] > 0 else None for i in items}
    p = {i: (min(100.0, max(0.0, v)) if v is not None else None) for i, v in p.items()}
    coefs = coefficients(parts, {i: p[i] is not None for i in items})
    sums = sum_u2_of(coefs, p)
    n = float(responses)

    def estimate(value, key):
        if value is None:
            return {"value": None, "ci95": None}
        var = n / (n - 1.0) * sums[key] if n >= 2 else None
        ci = None
        if var is not None and var >= 0:
            half = Z95 * math.sqrt(var)
            ci = (max(0.0, value - half), min(100.0, value + half))
        return {"value": value, "ci95": ci}

    def mean(values):
        present = [v for v in values if v is not None]
        return sum(present) / len(present) if present else None

    out_parts = []
    for pcode, elements in parts:
        out_elements = []
        for ecode, codes in elements:
            out_items = []
            for i in codes:
                s = stats[i]
                out_items.append({
                    "code": i, "n": s["n"], "satisfied": s["sat"],
                    "distribution": [s[f"d{k}"] for k in range(1, 6)],
                    "value": p[i],
                    "ci95": wilson(p[i] / 100.0, s["n"]) if p[i] is not None else None,
                    "mean_score": s["sumv"] / s["n"] if s["n"] > 0 else None,
                })
            e = estimate(mean([it["value"] for it in out_items]), ("element", ecode))
            out_elements.append({"code": ecode, **e, "items": out_items})
        pe = estimate(mean([e["value"] for e in out_elements]), ("part", pcode))
        out_parts.append({"code": pcode, **pe, "elements": out_elements})
    form = estimate(mean([pp["value"] for pp in out_parts]), ("form", ""))
    return {"responses": responses, **form, "parts": out_parts}


# ------------------------------------------------------------------------------------- DuckDB

def duckdb_report(con, source, parts):
    items = items_of(parts)
    cols = ["count(*) AS responses"]
    for i in items:
        cols += [f'count("{i}") AS "{i}_n"', f'count(*) FILTER ("{i}" >= 4) AS "{i}_sat"',
                 f'sum("{i}")::DOUBLE AS "{i}_sumv"']
        cols += [f'count(*) FILTER ("{i}" = {k}) AS "{i}_d{k}"' for k in range(1, 6)]
    row = con.execute(f"SELECT {', '.join(cols)} FROM {source}").fetchone()
    names = [d[0] for d in con.description]
    r = dict(zip(names, row))
    stats = {i: {"n": r[f"{i}_n"], "sat": r[f"{i}_sat"], "sumv": r[f"{i}_sumv"] or 0.0,
                 **{f"d{k}": r[f"{i}_d{k}"] for k in range(1, 6)}} for i in items}

    def sum_u2(coefs, p):
        # Per row and item once: a_i = (y*_i − p_i)/n_i, 0 where not answered (a NULL answer
        # must not fall into the ELSE of the CASE); then u = Σ c_i·a_i for every index.
        present = [i for i in items if p[i] is not None]
        inner = ", ".join(
            f'coalesce(((CASE WHEN "{i}" >= 4 THEN 100.0 WHEN "{i}" IS NOT NULL THEN 0.0 END) - {p[i]!r})'
            f' / {float(stats[i]["n"])!r}, 0.0) AS "a_{i}"'
            for i in present
        )
        keys = list(coefs)
        exprs = []
        for k in keys:
            terms = [f'{c!r} * "a_{i}"' for i, c in coefs[k].items() if c != 0.0]
            u = " + ".join(terms) if terms else "0.0"
            exprs.append(f"sum(({u}) * ({u}))")
        vals = con.execute(f"SELECT {', '.join(exprs)} FROM (SELECT {inner} FROM {source})").fetchone()
        return dict(zip(keys, vals))

    return finish(parts, stats, r["responses"], sum_u2)


# ------------------------------------------------------------------------------------- pandas

def pandas_report(df, parts):
    items = items_of(parts)
    stats = {}
    for i in items:
        col = df[i]
        counts = col.value_counts()
        stats[i] = {"n": int(col.count()), "sat": int((col >= 4).sum()),
                    "sumv": float(col.sum()),
                    **{f"d{k}": int(counts.get(k, 0)) for k in range(1, 6)}}

    def sum_u2(coefs, p):
        x = df[items].astype("float64").to_numpy()  # NaN where not answered
        y = np.where(np.isnan(x), np.nan, np.where(x >= 4, 100.0, 0.0))
        pv = np.array([p[i] if p[i] is not None else 0.0 for i in items])
        nv = np.array([stats[i]["n"] if stats[i]["n"] > 0 else 1 for i in items], dtype=float)
        a = np.nan_to_num((y - pv) / nv, nan=0.0)
        keys = list(coefs)
        c = np.array([[coefs[k].get(i, 0.0) for i in items] for k in keys])
        u = a @ c.T
        return dict(zip(keys, (u * u).sum(axis=0)))

    return finish(parts, stats, len(df), sum_u2)


# ------------------------------------------------------------------------------------- checks

def round2(x):
    # As the service's serializer: (x·100).round()/100, half away from zero.
    return math.copysign(math.floor(abs(x) * 100.0 + 0.5), x) / 100.0


def walk(report):
    """(path, value, ci95) of every index, and (path, counts) of every item."""
    yield ("form",), report["value"], report["ci95"], None
    for part in report["parts"]:
        yield ("part", part["code"]), part["value"], part["ci95"], None
        for e in part["elements"]:
            yield ("element", e["code"]), e["value"], e["ci95"], None
            for it in e["items"]:
                counts = (it["n"], it["satisfied"], tuple(it["distribution"]))
                yield ("item", it["code"]), it["value"], it["ci95"], counts


def service_as_report(js, parts):
    """The service's JSON in this script's shape (values as shown: 2 decimals)."""
    g = js["groups"][0]
    svc_parts = {p["code"]: p for p in g["parts"]}
    out = {"responses": g["responses"], "value": g["index"]["value"],
           "ci95": g["index"]["ci95"], "parts": []}
    for pcode, elements in parts:
        sp = svc_parts[pcode]
        se = {e["code"]: e for e in sp["elements"]}
        op = {"code": pcode, "value": sp["value"], "ci95": sp["ci95"], "elements": []}
        for ecode, codes in elements:
            e = se[ecode]
            si = {i["code"]: i for i in e["items"]}
            op["elements"].append({"code": ecode, "value": e["value"], "ci95": e["ci95"], "items": [
                {"code": i, "n": si[i]["n"], "satisfied": si[i]["satisfied"],
                 "distribution": [si[i]["distribution"].get(str(k), 0) for k in range(1, 6)],
                 "value": si[i]["value"], "ci95": si[i]["ci95"], "mean_score": si[i]["mean_score"]}
                for i in codes]})
        out["parts"].append(op)
    return out


def exact_from_counts(svc, parts):
    """Full-precision item/element/part/form values from the service's own counts."""
    items = {it["code"]: it for p in svc["parts"] for e in p["elements"] for it in e["items"]}
    stats = {i: {"n": it["n"], "sat": it["satisfied"], "sumv": 0.0,
                 **{f"d{k}": it["distribution"][k - 1] for k in range(1, 6)}}
             for i, it in items.items()}
    return finish(parts, stats, svc["responses"], lambda coefs, p: {k: 0.0 for k in coefs})


def compare(name, ours, svc, exact):
    problems = []
    if ours["responses"] != svc["responses"]:
        problems.append(f"responses: {name} {ours['responses']} vs service {svc['responses']}")
    for (path, v, ci, counts), (_, sv, sci, scounts), (_, ev, _, _) in zip(walk(ours), walk(svc), walk(exact)):
        where = "/".join(path)
        if counts != scounts:
            problems.append(f"{where} counts: {name} {counts} vs service {scounts}")
        if (v is None) != (sv is None):
            problems.append(f"{where}: {name} {v} vs service {sv}")
            continue
        if v is None:
            continue
        if abs(v - ev) > 1e-6:
            problems.append(f"{where}: {name} {v!r} vs {ev!r} from the service's counts")
        if abs(round2(v) - sv) > 1e-6:
            problems.append(f"{where}: {name} {round2(v)} (rounded) vs service {sv}")
        if (ci is None) != (sci is None):
            problems.append(f"{where} ci95: {name} {ci} vs service {sci}")
        elif ci is not None:
            for a, b in zip(ci, sci):
                if abs(round2(a) - b) > 1e-6:
                    problems.append(f"{where} ci95: {name} {[round2(x) for x in ci]} vs service {sci}")
                    break
    return problems


# ------------------------------------------------------------------------------------- timing

def timed(fn, runs=RUNS):
    fn()  # warm-up (file in the page cache, code paths loaded)
    times = []
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="the running service, e.g. http://127.0.0.1:8080")
    ap.add_argument("--token", required=True, help="an analyst's bearer token")
    ap.add_argument("--form", default="sipas-dich-vu")
    ap.add_argument("--form-file", default="survey-forms/sipas-dich-vu.toml")
    ap.add_argument("--parquet", required=True, help="the service's Parquet export of the same selection")
    args = ap.parse_args()
    parts = load_form(args.form_file)
    items = items_of(parts)

    def service():
        req = urllib.request.Request(f"{args.url}/api/v1/reports/{args.form}",
                                     headers={"Authorization": f"Bearer {args.token}"})
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.load(r)

    src = f"read_parquet('{args.parquet}')"
    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    rows = []
    t_svc, runs_svc, js = timed(service)
    rows.append(("service GET /api/v1/reports (HTTP, reads SQLite)", t_svc, runs_svc))
    t_duck, runs_duck, duck = timed(lambda: duckdb_report(con, src, parts))
    rows.append((f"DuckDB {duckdb.__version__} on the Parquet file ({threads} threads)", t_duck, runs_duck))
    t_pd, runs_pd, pdr = timed(lambda: pandas_report(pd.read_parquet(args.parquet, columns=items), parts))
    rows.append((f"pandas {pd.__version__} read_parquet(rated columns) + compute", t_pd, runs_pd))
    con.execute(f"CREATE TABLE answers AS SELECT {', '.join(chr(34) + i + chr(34) for i in items)} FROM {src}")
    t_duck_mem, runs_duck_mem, duck_mem = timed(lambda: duckdb_report(con, "answers", parts))
    rows.append(("DuckDB, rated columns already in memory (a table)", t_duck_mem, runs_duck_mem))
    df = pd.read_parquet(args.parquet, columns=items)
    t_pd_mem, runs_pd_mem, pd_mem = timed(lambda: pandas_report(df, parts))
    rows.append(("pandas, DataFrame already in memory", t_pd_mem, runs_pd_mem))

    print(f"COMPARE ungrouped report of {js['responses']} responses, warm, median of {RUNS} (after 1 warm-up):")
    for name, t, runs in rows:
        print(f"COMPARE   {name:<58} {t * 1000:9.1f} ms   service ÷ this = {t_svc / t:7.2f}×"
              f"   (runs: {' '.join(f'{x * 1000:.0f}' for x in runs)} ms)")
    print(f"COMPARE goal: service ≤ 1.5× DuckDB on the same data → service/DuckDB(Parquet) = "
          f"{t_svc / t_duck:.2f}×: {'met' if t_svc <= 1.5 * t_duck else 'NOT met'}")

    svc = service_as_report(js, parts)
    exact = exact_from_counts(svc, parts)
    problems = []
    for name, ours in (("DuckDB", duck), ("pandas", pdr), ("DuckDB(mem)", duck_mem), ("pandas(mem)", pd_mem)):
        problems += compare(name, ours, svc, exact)
    if problems:
        print("COMPARE FAILED: the numbers do not agree with the service's report:")
        for p in problems[:50]:
            print("   ", p)
        sys.exit(1)
    n_checked = sum(1 for _ in walk(svc))
    elements = ", ".join("%s %s" % (e["code"], e["value"]) for e in svc["parts"][0]["elements"])
    print(f"COMPARE agree: {n_checked} indices (form {svc['value']}, elements {elements}); "
          f"counts exact, values to 1e-6 of the service's counts, shown values and 95 % intervals "
          f"equal to 2 decimals, for DuckDB and pandas")


if __name__ == "__main__":
    main()
