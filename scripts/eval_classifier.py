"""Runs `breachwire classify` over the labelled sets in ../shared and scores it.

Called by scripts/eval-classifier; see there. Each input text is written to a
temporary file (headline, blank line, text where a headline exists), the
binary classifies them all in one run, and the output is converted to each
scorer's format.
"""
import importlib.util
import json
import os
import re
import subprocess
import sys


def classify(binary, tmp, name, docs):
    """docs: list of (id, title, text); returns {id: result}."""
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    paths = []
    for i, (doc_id, title, text) in enumerate(docs):
        p = os.path.join(d, "%05d.txt" % i)
        with open(p, "w", encoding="utf-8") as f:
            if title:
                f.write(title.strip() + "\n\n")
            f.write(text)
        paths.append((doc_id, p))
    out = subprocess.run([binary, "classify", "--format", "jsonl"] + [p for _, p in paths],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit("classify failed: " + out.stderr)
    by_path = {}
    for line in out.stdout.splitlines():
        r = json.loads(line)
        by_path[r["source"]] = r
    return {doc_id: by_path.get(p, {}) for doc_id, p in paths}


# breachwire names the UK regulator "ICO" (its canonical name in the design);
# the scorer identifies national data protection authorities by country, so
# the adapter spells out what "ICO" is. Nothing else is renamed.
SCORER_NAMES = {"ICO": "ICO (United Kingdom data protection authority)"}


def prediction(r):
    p = {"organisation": None, "records": None, "cause_category": None, "regulator": None, "fine": None}
    org = r.get("organisation") or {}
    p["organisation"] = org.get("name")
    rec = r.get("records")
    if rec and rec.get("qualifier") not in ("unknown", None) and rec.get("value"):
        p["records"] = rec["value"]
    cause = r.get("cause") or {}
    p["cause_category"] = cause.get("primary")
    actions = r.get("regulator_actions") or []
    if actions:
        fined = [a for a in actions if a.get("amount") is not None]
        reg = (fined or actions)[0].get("regulator")
        p["regulator"] = SCORER_NAMES.get(reg, reg)
        if fined:
            p["fine"] = {"amount": fined[0]["amount"], "currency": fined[0].get("currency")}
    return p


def run_extraction(binary, shared, tmp):
    gold_path = os.path.join(shared, "eval/extraction/dev.jsonl")
    gold = [json.loads(l) for l in open(gold_path, encoding="utf-8")]
    res = classify(binary, tmp, "extraction", [(g["id"], g.get("title", ""), g["text"]) for g in gold])
    pred_path = os.path.join(tmp, "extraction-predictions.jsonl")
    with open(pred_path, "w", encoding="utf-8") as f:
        for g in gold:
            p = prediction(res[g["id"]])
            p["id"] = g["id"]
            f.write(json.dumps(p) + "\n")
    print("== extraction: ../shared/eval/extraction/dev.jsonl (%d items), scored by its score.py" % len(gold))
    pool_path = os.path.join(shared, "eval/extraction/train.jsonl")
    if os.path.exists(pool_path):
        pool_ids = {json.loads(l)["id"] for l in open(pool_path, encoding="utf-8")}
        seen = sum(g["id"] in pool_ids for g in gold)
        print("(%d of these items are in the training pool: for cause, organisation and records these are" % seen)
        print(" in-sample figures; the pool CV above is the estimate for texts the models were not fitted on)")
    sys.stdout.flush()
    scorer_path = os.path.join(shared, "eval/extraction/score.py")
    subprocess.run([sys.executable, scorer_path, gold_path, pred_path], check=True)
    # The organisation target counts items whose organisation is
    # named in the text: same normalisation and lenient match as score.py.
    spec = importlib.util.spec_from_file_location("bw_score", scorer_path)
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    named = hit = 0
    for g in gold:
        if "organisation" not in g["gold_fields"]:
            continue
        golds = g.get("organisation_all") or [g["organisation"]]
        text = " %s " % scorer.norm_org((g.get("title") or "") + " " + g["text"])
        if not any(scorer.norm_org(o) and (" %s " % scorer.norm_org(o)) in text for o in golds):
            continue
        named += 1
        hit += scorer.org_match(prediction(res[g["id"]]).get("organisation"), golds)[1]
    print("organisation lenient on items whose organisation is named in the text: %.3f (%d of %d)" % (hit / max(named, 1), hit, named))
    if os.environ.get("EVAL_DUMP"):
        with open(os.environ["EVAL_DUMP"], "w", encoding="utf-8") as f:
            for g in gold:
                f.write(json.dumps({"id": g["id"], "gold": {k: g.get(k) for k in ("organisation", "records", "cause_category", "regulator", "fine")},
                                    "gold_fields": g["gold_fields"], "pred": prediction(res[g["id"]])}) + "\n")


def run_relevance(binary, shared, tmp):
    path = os.path.join(shared, "eval/extraction/relevance_dev.jsonl")
    items = [json.loads(l) for l in open(path, encoding="utf-8")]
    res = classify(binary, tmp, "relevance", [(i["id"], i.get("title", ""), i["text"]) for i in items])
    tp = fp = fn = tn = 0
    for i in items:
        pred = bool(res[i["id"]].get("is_breach"))
        gold = bool(i["is_breach"])
        tp += pred and gold
        fp += pred and not gold
        fn += gold and not pred
        tn += not pred and not gold
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    print("== relevance: ../shared/eval/extraction/relevance_dev.jsonl (%d items)" % len(items))
    print("precision %.3f  recall %.3f  F1 %.3f  (tp %d fp %d fn %d tn %d)" % (prec, rec, f1, tp, fp, fn, tn))
    print("(in-sample: the relevance weights were fitted on these articles; scripts/fit-relevance prints")
    print(" the cross-validated precision and recall, the estimate for articles it has not seen)")


def norm_org(s):
    s = (s or "").lower()
    s = re.sub(r"\(.*?\)", " ", s)
    s = re.sub(r"\b(inc|llc|ltd|limited|plc|corp|corporation|co|company|the|of)\b", " ", s)
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", s).split())


ACTION_WORDS = {"investigation": "investigating"}


def run_seeds(binary, shared, tmp):
    labels = [json.loads(l) for l in open(os.path.join(shared, "seeds/labels.jsonl"), encoding="utf-8")]
    docs = [(l["file"], "", open(os.path.join(shared, "seeds", l["file"]), encoding="utf-8").read()) for l in labels]
    res = classify(binary, tmp, "seeds", docs)
    print("== seeds: ../shared/seeds (%d articles)" % len(labels))
    passed = 0
    for l in labels:
        r = res[l["file"]]
        problems = []
        org = (r.get("organisation") or {}).get("name")
        if norm_org(org) != norm_org(l["organisation"]):
            problems.append("organisation %r, want %r" % (org, l["organisation"]))
        rec = r.get("records")
        if l.get("records") is None:
            ok = rec is None or rec.get("qualifier") == "unknown" or (
                l.get("records_at_risk") and rec.get("kind") == "at_risk" and rec.get("value") == l["records_at_risk"])
            if not ok:
                problems.append("records %r, want none" % ({k: rec.get(k) for k in ("value", "kind", "qualifier")},))
        elif not rec or rec.get("value") != l["records"]:
            problems.append("records %r, want %d" % (rec and rec.get("value"), l["records"]))
        cause = (r.get("cause") or {}).get("primary")
        if cause != l["cause_category"]:
            problems.append("cause %r, want %r" % (cause, l["cause_category"]))
        actions = r.get("regulator_actions") or []
        regs = {a.get("regulator") for a in actions}
        if l.get("regulator") and l["regulator"] not in regs:
            problems.append("regulators %s, want %s" % (sorted(regs), l["regulator"]))
        have = {a.get("action") for a in actions if a.get("regulator") == l.get("regulator")}
        for want in l.get("regulator_actions") or []:
            if want == "reported_within_72h":
                if not any(t.get("hours") == 72 for t in r.get("notification_timings") or []):
                    problems.append("no 72-hour notification timing")
                continue
            if ACTION_WORDS.get(want, want) not in have:
                problems.append("action %s missing (have %s)" % (want, sorted(have)))
        status = "ok  " if not problems else "FAIL"
        passed += not problems
        print("%s %s %s" % (status, l["file"], "; ".join(problems)))
    print("seeds: %d of %d right" % (passed, len(labels)))


def main():
    binary, shared, tmp = sys.argv[1:4]
    which = sys.argv[4:] or ["extraction", "relevance", "seeds"]
    for w in which:
        {"extraction": run_extraction, "relevance": run_relevance, "seeds": run_seeds}[w](binary, shared, tmp)
        print()


if __name__ == "__main__":
    main()
