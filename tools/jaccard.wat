;; The SeqSim top-K scan of tools/jaccard.ts in WebAssembly, for its hardware popcount
;; (i64.popcnt over the 57 type bits of a day, i32.popcnt over the 13 group bits).
;; Built to tools/jaccard.wasm by `npm ci` / `npm install` (scripts/build-wasm.mjs, wabt);
;; tests/jaccard.test.ts holds it to the TypeScript scan on random and hand-computed data.
;;
;; The TypeScript side (SequenceIndex) owns the layout: it writes the byte offsets of every
;; column and table into the header below, fills the query, and calls `scan`. Per day a stored
;; sequence holds three little-endian u32 words (types 0..31, types 32..56, groups 0..12), so the
;; first two read as one i64. The scan keeps, in `heap`, the best `k` sums seen so far (sorted,
;; best first) and writes out every row whose sum could still reach the k-th best (less 1e-9, so a
;; row that could tie is never lost); the caller orders those by the full rule (sum, day, id).
;; When the out buffer is full it returns early with `stopped` = the next row to scan.
;;
;; The intersection and union counts of a day come from popcnt(x & q) and popcnt(x | q), so the
;; per-day count columns the TypeScript scan reads are not needed here.
;;
;; Header (i32 at byte offset): 0 words, 4 tcount, 8 gcount, 12 avail, 16 tcode, 20 q, 24 qt,
;; 28 qg (4..8 and 24..28 unused here), 32 rest, 36 A, 40 B, 44 heap, 48 held (in/out), 52 outRows, 56 outSums, 60 stopped
;; (out), 64 types union span (2*N_TYPES+1), 68 groups union span (2*N_GROUPS+1).
(module
  (memory (export "memory") 1)
  (func (export "scan")
    (param $start i32) (param $end i32) (param $w i32) (param $asOf f64) (param $only i32)
    (param $k i32) (param $cap i32) (result i32)
    (local $words i32) (local $avail i32) (local $tcode i32)
    (local $q i32) (local $rest i32) (local $A i32) (local $B i32)
    (local $heap i32) (local $held i32) (local $orows i32) (local $osums i32)
    (local $tU i32) (local $gU i32)
    (local $row i32) (local $b i32) (local $o i32) (local $r i32) (local $qEnd i32) (local $rowBytes i32)
    (local $g i32) (local $h i32) (local $i i32) (local $emitted i32) (local $x i64) (local $y i64)
    (local $sum f64) (local $floor f64)

    (local.set $words (i32.load (i32.const 0)))
    (local.set $avail (i32.load (i32.const 12)))
    (local.set $tcode (i32.load (i32.const 16)))
    (local.set $q (i32.load (i32.const 20)))
    (local.set $rest (i32.load (i32.const 32)))
    (local.set $A (i32.load (i32.const 36)))
    (local.set $B (i32.load (i32.const 40)))
    (local.set $heap (i32.load (i32.const 44)))
    (local.set $held (i32.load (i32.const 48)))
    (local.set $orows (i32.load (i32.const 52)))
    (local.set $osums (i32.load (i32.const 56)))
    (local.set $tU (i32.load (i32.const 64)))
    (local.set $gU (i32.load (i32.const 68)))

    ;; the sum a row must still be able to reach
    (local.set $rowBytes (i32.mul (local.get $w) (i32.const 12)))
    (local.set $qEnd (i32.add (local.get $q) (local.get $rowBytes)))
    (local.set $floor (f64.const -inf))
    (if (i32.eq (local.get $held) (local.get $k))
      (then (local.set $floor
        (f64.sub (f64.load (i32.add (local.get $heap) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 3))))
                 (f64.const 1e-9)))))

    (local.set $row (local.get $start))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $row) (local.get $end)))
        (block $next
          ;; point in time: only references available at asOf
          ;; (asOf = +inf when the caller scans only the readable prefix: then the column is not read)
          (if (f64.ne (local.get $asOf) (f64.const inf))
            (then (br_if $next (f64.gt (f64.load (i32.add (local.get $avail) (i32.shl (local.get $row) (i32.const 3)))) (local.get $asOf)))))
          ;; one ticker only, when asked
          (if (i32.ge_s (local.get $only) (i32.const 0))
            (then (br_if $next (i32.ne (i32.load (i32.add (local.get $tcode) (i32.shl (local.get $row) (i32.const 2)))) (local.get $only)))))
          (local.set $sum (f64.const 0))
          ;; walk the row's days and the query's days side by side: b (row words), o (query words), r (rest bounds)
          (local.set $b (i32.add (local.get $words) (i32.mul (local.get $row) (local.get $rowBytes))))
          (local.set $o (local.get $q))
          (local.set $r (local.get $rest))
          (loop $days
            ;; even perfect remaining days could not lift this row to the floor
            (br_if $next (f64.lt (f64.add (local.get $sum) (f64.load (local.get $r))) (local.get $floor)))
            ;; intersection and union counts straight from the words: popcnt(x & q), popcnt(x | q)
            (local.set $x (i64.load (local.get $b)))
            (local.set $y (i64.load (local.get $o)))
            (local.set $g (i32.load offset=8 (local.get $b)))
            (local.set $h (i32.load offset=8 (local.get $o)))
            ;; sum += A[popcnt(types &) << tS | popcnt(types |)] + B[popcnt(groups &) << gS | popcnt(groups |)]
            (local.set $sum (f64.add (local.get $sum) (f64.add
              (f64.load (i32.add (local.get $A) (i32.shl
                (i32.or (i32.shl (i32.wrap_i64 (i64.popcnt (i64.and (local.get $x) (local.get $y)))) (local.get $tU))
                         (i32.wrap_i64 (i64.popcnt (i64.or (local.get $x) (local.get $y)))))
                (i32.const 3))))
              (f64.load (i32.add (local.get $B) (i32.shl
                (i32.or (i32.shl (i32.popcnt (i32.and (local.get $g) (local.get $h))) (local.get $gU))
                         (i32.popcnt (i32.or (local.get $g) (local.get $h))))
                (i32.const 3)))))))
            (local.set $b (i32.add (local.get $b) (i32.const 12)))
            (local.set $o (i32.add (local.get $o) (i32.const 12)))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br_if $days (i32.lt_u (local.get $o) (local.get $qEnd))))
          (br_if $next (f64.lt (local.get $sum) (local.get $floor)))
          ;; out buffer full: hand back, resume at this row
          (if (i32.ge_u (local.get $emitted) (local.get $cap))
            (then
              (i32.store (i32.const 48) (local.get $held))
              (i32.store (i32.const 60) (local.get $row))
              (return (local.get $emitted))))
          (i32.store (i32.add (local.get $orows) (i32.shl (local.get $emitted) (i32.const 2))) (local.get $row))
          (f64.store (i32.add (local.get $osums) (i32.shl (local.get $emitted) (i32.const 3))) (local.get $sum))
          (local.set $emitted (i32.add (local.get $emitted) (i32.const 1)))
          ;; keep the best k sums, best first: insertion from the end (the last one drops when full)
          (if (i32.lt_u (local.get $held) (local.get $k))
            (then
              (local.set $i (local.get $held))
              (local.set $held (i32.add (local.get $held) (i32.const 1))))
            (else
              (br_if $next (i32.eqz (f64.gt (local.get $sum)
                (f64.load (i32.add (local.get $heap) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 3)))))))
              (local.set $i (i32.sub (local.get $k) (i32.const 1)))))
          (block $placed
            (loop $shift
              (br_if $placed (i32.eqz (local.get $i)))
              (br_if $placed (i32.eqz (f64.gt (local.get $sum)
                (f64.load (i32.add (local.get $heap) (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 3)))))))
              (f64.store (i32.add (local.get $heap) (i32.shl (local.get $i) (i32.const 3)))
                (f64.load (i32.add (local.get $heap) (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 3)))))
              (local.set $i (i32.sub (local.get $i) (i32.const 1)))
              (br $shift)))
          (f64.store (i32.add (local.get $heap) (i32.shl (local.get $i) (i32.const 3))) (local.get $sum))
          (if (i32.eq (local.get $held) (local.get $k))
            (then (local.set $floor
              (f64.sub (f64.load (i32.add (local.get $heap) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 3))))
                       (f64.const 1e-9))))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows)))
    (i32.store (i32.const 48) (local.get $held))
    (i32.store (i32.const 60) (local.get $end))
    (local.get $emitted)))
