#!/usr/bin/env python3
"""Splits a `perf` profile of `leadq score` into its phases: when each ran (wall clock) and how
much CPU it took, so that a serial phase shows up as a long span with one core busy.

    perf record --call-graph dwarf,8192 -F 100 -o perf.data \\
        build/release/apps/leadq/leadq score --model ... --out scores.csv
    perf script -i perf.data -F tid,time,ip,sym > perf.txt
    bench/perf_phases.py perf.txt --hz 100

A sample belongs to the first phase (in RULES order) whose key appears in one of its stack
frames. The keys are function names of src/engine/dataset.cc, src/engine/score.cc and
src/service/scoring.cc; update them when those are renamed. Results are in BENCHMARKS.md.
"""
import argparse
import collections

# (phase, any of these substrings in a frame); first match wins.
RULES = [
    ("open: UTF-8 check", ["FindInvalidUtf8"]),
    ("open: map + header", ["CsvFile::Open"]),
    ("model: load", ["LoadModel"]),
    ("events: event_id dedup (FindDuplicateEvents)", ["FindDuplicateEvents"]),
    ("leads: email_domain", ["DeriveEmailDomain"]),
    ("merge chunk dictionaries (serial)", ["MergeDictionaries"]),
    ("events: free per-chunk columns", ["~EventChunk"]),
    ("events: row callback (parallel)",
     ["ReadEvents(leadq::CsvFile const&, leadq::engine::LeadTable const&, leadq::engine::DataNeeds"
      " const&, leadq::RowIssues&)::{lambda(unsigned long, leadq::CsvReader&"]),
    ("leads/accounts: row callback (parallel)",
     ["ReadKeyedTable(leadq::CsvFile const&, std::basic_string_view<char, std::char_traits<char> >"
      ", std::basic_string_view<char, std::char_traits<char> >, std::vector<std::__cxx11::basic_"
      "string<char, std::char_traits<char>, std::allocator<char> >, std::allocator<std::__cxx11::"
      "basic_string<char, std::char_traits<char>, std::allocator<char> > > > const&, leadq::"
      "RowIssues&)::{lambda(unsigned long, leadq::CsvReader&"]),
    ("CSV tokenizing (CsvReader::Next, parallel)", ["CsvReader::Next"]),
    ("split rows, count lines", ["ReadRows"]),
    ("events: group by lead (serial)", ["AssembleEvents", "ReadEvents"]),
    ("leads/accounts: unique ids, copy (serial)", ["AssembleKeyed", "ReadKeyedTable"]),
    ("leads: index, account join (serial)", ["InstallLeads", "InstallAccounts", "LoadDataset"]),
    ("compile model", ["CompileModel"]),
    ("scoring", ["ScoreLeads"]),
    ("write: format rows (parallel)",
     ["WriteScores(leadq::service::Workset const&, leadq::service::ScoreFormat, std::filesystem::"
      "__cxx11::path const&, leadq::service::Progress&)::{lambda"]),
    ("write: file", ["WriteOutput"]),
    ("write: join parts", ["WriteScores"]),
    ("load: other", ["LoadWorkset"]),
]
OTHER = "other (exit: unmap, free; kernel)"

# Inside the row callbacks: the innermost recognisable frame.
INNER = [
    ("dictionary (LocalDictionary::Code)", ["LocalDictionary::Code"]),
    ("hash table look-up (events: lead_id index; leads: column dictionaries, inlined)", ["_Hashtable", "_Hash_bytes", "__memcmp"]),
    ("ParseTimestamp", ["ParseTimestamp"]),
    ("page faults", ["page_fault"]),
    ("malloc/free", ["malloc", "_int_free", "sysmalloc"]),
    ("vector growth", ["_M_realloc_insert"]),
]


def read_samples(path):
    samples, cur = [], None
    with open(path, errors="replace") as f:
        for line in f:
            if not line.strip():
                if cur:
                    samples.append(cur)
                cur = None
            elif not line.startswith("\t"):
                tid, t = line.split()[:2]
                cur = (int(tid), float(t.rstrip(":")), [])
            elif cur is not None:
                parts = line.strip().split(None, 1)
                cur[2].append(parts[1] if len(parts) > 1 else parts[0])
    if cur:
        samples.append(cur)
    return samples


def phase_of(frames):
    for name, keys in RULES:
        if any(k in f for f in frames for k in keys):
            return name
    return OTHER


def inner_of(frames):
    for name, keys in INNER:
        if any(k in f for f in frames[:8] for k in keys):
            return name
    return "tokenizing, trimming, appends (self)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("perf_script_output")
    ap.add_argument("--hz", type=float, default=100.0, help="the -F of perf record")
    args = ap.parse_args()
    samples = read_samples(args.perf_script_output)
    if not samples:
        raise SystemExit("no samples")
    hz = args.hz
    t0 = min(s[1] for s in samples)
    t1 = max(s[1] for s in samples)
    stats = {}
    inner = collections.defaultdict(collections.Counter)
    timeline = collections.defaultdict(collections.Counter)
    for tid, t, frames in samples:
        ph = phase_of(frames)
        st = stats.setdefault(ph, {"n": 0, "first": t, "last": t, "tids": set()})
        st["n"] += 1
        st["first"] = min(st["first"], t)
        st["last"] = max(st["last"], t)
        st["tids"].add(tid)
        if "row callback" in ph:
            inner[ph][inner_of(frames)] += 1
        timeline[int(t - t0)][ph] += 1
    print(f"wall {t1 - t0:.2f} s (first to last sample), CPU {len(samples) / hz:.1f} s")
    print(f"{'phase':48s} {'from s':>7s} {'to s':>7s} {'CPU s':>7s} threads")
    for name, st in sorted(stats.items(), key=lambda kv: kv[1]["first"]):
        print(f"{name:48s} {st['first'] - t0:7.2f} {st['last'] - t0:7.2f} "
              f"{st['n'] / hz:7.2f} {len(st['tids'])}")
    for ph, c in inner.items():
        print(f"\ninside {ph}, CPU s:")
        for k, v in c.most_common():
            print(f"  {k:46s} {v / hz:7.2f}")
    print("\ntimeline: CPU s per phase in each second of wall time (at most 2.00 on 2 cores)")
    for w in sorted(timeline):
        print(f"{w:4d}s  " + "; ".join(f"{k} {v / hz:.2f}" for k, v in timeline[w].most_common(3)))


if __name__ == "__main__":
    main()
