package rules

import (
	"fmt"
	"go/format"
	"maps"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// TestCauseFit fits the cause model (cause_weights.go) on the labelled pool
// in ../shared (never in the repository): a multinomial logistic regression
// over the rules' per-category totals (standardised) and the words and word
// pairs of each sentence (present or not). It prints the scores of grouped
// 5-fold cross-validation (folds keep an organisation's items together),
// per source, beside the rules alone on the same items, then a
// leave-one-source-out figure, then fits on all items. The temperature and
// the unknown threshold come from the out-of-fold probabilities. It runs
// only when CAUSE_FIT is set (scripts/fit-cause sets it); with
// CAUSE_FIT_WRITE it writes cause_weights.go.
//
// A term enters the vocabulary when it is in at least minDF training items
// of at least minGroups organisations, and no word of it is mostly
// capitalised inside sentences (a name): the weights describe how causes
// are written about, not the stories of the pool.
func TestCauseFit(t *testing.T) {
	if os.Getenv("CAUSE_FIT") == "" {
		t.Skip("CAUSE_FIT not set")
	}
	cfg := causeFitConfig{lambdaTerms: 0.1, lambdaCues: 1, minDF: 5, minGroups: 3, balance: 0.8, folds: 5, repeats: 3}
	envFloat(t, "CAUSE_FIT_LAMBDA_TERMS", &cfg.lambdaTerms)
	envFloat(t, "CAUSE_FIT_LAMBDA_CUES", &cfg.lambdaCues)
	envFloat(t, "CAUSE_FIT_BALANCE", &cfg.balance)
	envInt(t, "CAUSE_FIT_MIN_DF", &cfg.minDF)
	envInt(t, "CAUSE_FIT_MIN_GROUPS", &cfg.minGroups)
	envInt(t, "CAUSE_FIT_REPEATS", &cfg.repeats)
	pool, err := loadPool(poolPath())
	if err != nil {
		t.Fatal(err)
	}
	items := causeFitItems(pool)
	all := make([]int, len(items))
	for i := range all {
		all[i] = i
	}
	fmt.Printf("%d pool items with a cause label; lambda %g on terms, %g on standardised rule totals; terms in >= %d items of >= %d organisations; class weights (n/n_c)^%g\n",
		len(items), cfg.lambdaTerms, cfg.lambdaCues, cfg.minDF, cfg.minGroups, cfg.balance)

	// Grouped cross-validation, repeated over shuffles of the groups.
	oof := make([][numCauseClasses]float64, len(items)) // margins, last shuffle
	var runs []causeScores
	for r := range cfg.repeats {
		folds := groupedFolds(poolOf(items), all, cfg.folds, uint64(r))
		forFolds(all, folds, cfg.folds, func(tr, held []int) {
			m := fitCause(items, tr, cfg)
			for _, k := range held {
				oof[k] = m.margins(items[k])
			}
		})
		runs = append(runs, scoreCause(items, all, func(k int) bwv1.Cause { return argmaxCause(items[k], oof[k], 1, 0) }))
	}
	temp := bestTemperature(items, oof)
	cut := bestUnknownCut(items, oof, temp)
	withCut := scoreCause(items, all, func(k int) bwv1.Cause { return argmaxCause(items[k], oof[k], temp, cut) })
	rules := scoreCause(items, all, func(k int) bwv1.Cause { return items[k].rules })
	cv := meanCauseScores(runs)
	fmt.Printf("\ngrouped %d-fold CV (mean of %d shuffles) — model vs rules alone, same items:\n", cfg.folds, cfg.repeats)
	printCauseTable(cv, rules)
	fmt.Printf("\nout-of-fold temperature %.2f; unknown below p=%.2f: exact %.3f macro-F1 %.3f (last shuffle, argmax: %.3f / %.3f)\n",
		temp, cut, withCut.all.exact(), withCut.all.macroF1(), runs[len(runs)-1].all.exact(), runs[len(runs)-1].all.macroF1())

	printCauseConfusion(items, func(k int) bwv1.Cause { return argmaxCause(items[k], oof[k], temp, cut) })

	// Leave one source out: trained on the others.
	lfolds, names := sourceFolds(poolOf(items), all)
	loso := make([]bwv1.Cause, len(items))
	forFolds(all, lfolds, len(names), func(tr, held []int) {
		m := fitCause(items, tr, cfg)
		for _, k := range held {
			loso[k] = argmaxCause(items[k], m.margins(items[k]), temp, cut)
		}
	})
	ls := scoreCause(items, all, func(k int) bwv1.Cause { return loso[k] })
	fmt.Printf("\nleave-one-source-out (trained on the other sources):\n")
	for _, s := range ls.sourceNames() {
		fmt.Printf("  %-8s n=%4d exact %.3f macro-F1 %.3f\n", shortSource(s), ls.by[s].n, ls.by[s].exact(), ls.by[s].macroF1())
	}

	m := fitCause(items, all, cfg)
	in := scoreCause(items, all, func(k int) bwv1.Cause { return argmaxCause(items[k], m.margins(items[k]), temp, cut) })
	fmt.Printf("\nfit on all %d items: %d terms; in-sample exact %.3f macro-F1 %.3f (not an estimate: see the CV above)\n",
		len(items), len(m.terms), in.all.exact(), in.all.macroF1())
	for c := range numCauseClasses {
		var top []string
		order := slices.Clone(m.terms)
		sort.SliceStable(order, func(a, b int) bool { return order[a].w[c] > order[b].w[c] })
		for _, tm := range order[:min(8, len(order))] {
			top = append(top, tm.term)
		}
		fmt.Printf("  %-26s %s\n", bwv1.Cause(c+1), strings.Join(top, ", "))
	}
	if out := os.Getenv("CAUSE_FIT_WRITE"); out != "" {
		prov := fmt.Sprintf("%d labelled pool items (%s); grouped %d-fold CV, mean of %d shuffles: exact %.3f, macro-F1 %.3f",
			len(items), sourceCounts(items), cfg.folds, cfg.repeats, cv.all.exact(), cv.all.macroF1())
		for _, s := range cv.sourceNames() {
			prov += fmt.Sprintf("; %s %.3f / %.3f", shortSource(s), cv.by[s].exact(), cv.by[s].macroF1())
		}
		src, err := format.Source(m.goSource(cfg, prov, temp, cut))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, src, 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Println("wrote", out)
	}
}

type causeFitConfig struct {
	lambdaTerms, lambdaCues, balance float64
	minDF, minGroups, folds, repeats int
}

// causeFitItem is one labelled item as the cause model sees it.
type causeFitItem struct {
	pool  *poolItem
	y     int          // class of the primary cause
	ok    map[int]bool // classes the scorer accepts: primary and secondary causes
	cues  [numCauseCues]float64
	terms []string           // words and pairs, sorted, each once
	use   map[string]wordUse // words: inside a sentence, capitalised there
	none  bool               // the model gives no cause at all (nothing about a breach)
	rules bwv1.Cause         // the rules' primary cause (0 for none)
}

func poolOf(items []causeFitItem) []*poolItem {
	out := make([]*poolItem, len(items))
	for i := range items {
		out[i] = items[i].pool
	}
	return out
}

func causeClass(name string) (int, bool) {
	v, ok := bwv1.Cause_value["CAUSE_"+strings.ToUpper(name)]
	if !ok || v == 0 {
		return 0, false
	}
	return int(v) - 1, true
}

func causeFitItems(pool []*poolItem) []causeFitItem {
	var out []causeFitItem
	for _, p := range pool {
		y, ok := causeClass(p.Cause)
		if !p.Gold["cause_category"] || !ok {
			continue
		}
		it := causeFitItem{pool: p, y: y, ok: map[int]bool{y: true}, use: map[string]wordUse{}}
		for _, s := range p.CauseSecondary {
			if c, ok := causeClass(s); ok {
				it.ok[c] = true
			}
		}
		d := p.doc
		sc := causeCueScores(d)
		it.cues = causeCueFeatures(sc)
		isBreach, _ := relevance(d)
		it.none = noCause(d, it.cues, isBreach)
		if f := ruleCause(d, sc); f != nil {
			it.rules = f.Primary
		}
		set := map[string]bool{}
		forEachSentenceTermString(d, func(_ int, term string) { set[term] = true })
		forEachWord(d.lower, func(start, end int) {
			u := it.use[d.lower[start:end]]
			if insideSentence(d.text, start) {
				u.inside++
				if 'A' <= d.text[start] && d.text[start] <= 'Z' {
					u.capitalised++
				}
			}
			it.use[d.lower[start:end]] = u
		})
		for w := range set {
			it.terms = append(it.terms, w)
		}
		sort.Strings(it.terms)
		out = append(out, it)
	}
	return out
}

// forEachSentenceTermString is forEachSentenceTerm with the terms as
// strings (TestCauseTermHashes checks that the two agree).
func forEachSentenceTermString(d *doc, fn func(sent int, term string)) {
	for si, s := range d.sents {
		lower := d.lower[s.start:s.end]
		prev := ""
		forEachWord(lower, func(start, end int) {
			w := lower[start:end]
			fn(si, w)
			if prev != "" {
				fn(si, prev+" "+w)
			}
			prev = w
		})
	}
}

// causeFit is a fitted model in raw units.
type causeFit struct {
	bias  [numCauseClasses]float64
	cues  [numCauseCues][numCauseClasses]float64
	terms []causeTerm
	index map[string]int
}

func (m *causeFit) margins(it causeFitItem) [numCauseClasses]float64 {
	z := m.bias
	for j, v := range it.cues {
		for c := range z {
			z[c] += m.cues[j][c] * v
		}
	}
	var tz [numCauseClasses]float64
	n := 0
	for _, term := range it.terms {
		if i, ok := m.index[term]; ok {
			n++
			for c, w := range m.terms[i].w {
				tz[c] += float64(w)
			}
		}
	}
	for c := range z {
		z[c] += tz[c] * termScale(n)
	}
	return z
}

// causeVocabulary: terms of at least minDF training items from at least
// minGroups organisations, no word of which is mostly capitalised inside
// sentences.
func causeVocabulary(items []causeFitItem, train []int, cfg causeFitConfig) []string {
	df := map[string]int{}
	use := map[string]wordUse{}
	for _, i := range train {
		for _, term := range items[i].terms {
			df[term]++
		}
		for w, u := range items[i].use {
			s := use[w]
			s.inside += u.inside
			s.capitalised += u.capitalised
			use[w] = s
		}
	}
	groups := map[string]map[string]bool{}
	for _, i := range train {
		for _, term := range items[i].terms {
			if df[term] < cfg.minDF {
				continue
			}
			if groups[term] == nil {
				groups[term] = map[string]bool{}
			}
			groups[term][items[i].pool.Group] = true
		}
	}
	var vocab []string
	for term, g := range groups {
		if len(g) < cfg.minGroups {
			continue
		}
		name := false
		for _, w := range strings.Fields(term) {
			if u := use[w]; u.capitalised*2 > u.inside {
				name = true
			}
		}
		if !name {
			vocab = append(vocab, term)
		}
	}
	sort.Strings(vocab)
	return vocab
}

func fitCause(items []causeFitItem, train []int, cfg causeFitConfig) *causeFit {
	vocab := causeVocabulary(items, train, cfg)
	index := make(map[string]int, len(vocab))
	for i, w := range vocab {
		index[w] = i
	}
	mean, sd := meanSD(numCauseCues, func(yield func([]float64) bool) {
		for _, i := range train {
			if !yield(items[i].cues[:]) {
				return
			}
		}
	})
	var count [numCauseClasses]float64
	for _, i := range train {
		count[items[i].y]++
	}
	p := &softmaxProblem{classes: numCauseClasses, params: 1 + numCauseCues + len(vocab)}
	for _, i := range train {
		row := make([]float64, numCauseCues)
		for j, v := range items[i].cues {
			row[j] = (v - mean[j]) / sd[j]
		}
		var ws []int32
		for _, term := range items[i].terms {
			if k, ok := index[term]; ok {
				ws = append(ws, int32(1+numCauseCues+k))
			}
		}
		p.dense = append(p.dense, row)
		p.sparse = append(p.sparse, ws)
		p.scale = append(p.scale, termScale(len(ws)))
		p.y = append(p.y, items[i].y)
		p.weight = append(p.weight, math.Pow(float64(len(train))/(float64(numCauseClasses)*count[items[i].y]), cfg.balance))
	}
	p.lambda = make([]float64, p.params)
	for j := 1; j < p.params; j++ {
		p.lambda[j] = cfg.lambdaTerms
		if j <= numCauseCues {
			p.lambda[j] = cfg.lambdaCues
		}
	}
	theta := p.solve()
	m := &causeFit{index: index}
	for c := range numCauseClasses {
		w := theta[c*p.params : (c+1)*p.params]
		m.bias[c] = w[0]
		for j := range numCauseCues {
			m.cues[j][c] = w[1+j] / sd[j]
			m.bias[c] -= w[1+j] * mean[j] / sd[j]
		}
	}
	for k, term := range vocab {
		ct := causeTerm{term: term}
		for c := range numCauseClasses {
			ct.w[c] = float32(theta[c*p.params+1+numCauseCues+k])
		}
		m.terms = append(m.terms, ct)
	}
	return m
}

// argmaxCause: what causeModel gives: the most probable class, unknown
// when its probability at temperature t is below cut; for a gated item (no
// cue, no breach word, not a breach) nothing unless the class is at least
// causeUngatedAt probable.
func argmaxCause(it causeFitItem, z [numCauseClasses]float64, t, cut float64) bwv1.Cause {
	p := softmax(z, t)
	top := 0
	for k := range p {
		if p[k] > p[top] {
			top = k
		}
	}
	if it.none && p[top] < causeUngatedAt {
		return bwv1.Cause_CAUSE_UNSPECIFIED
	}
	if p[top] < cut {
		return cUnknown
	}
	return bwv1.Cause(top + 1)
}

// bestTemperature minimises the out-of-fold log-loss.
func bestTemperature(items []causeFitItem, oof [][numCauseClasses]float64) float64 {
	best, bt := math.Inf(1), 1.0
	for t := 0.3; t <= 4.001; t += 0.05 {
		nll := 0.0
		for k, it := range items {
			p := softmax(oof[k], t)
			nll -= math.Log(math.Max(p[it.y], 1e-12))
		}
		if nll < best {
			best, bt = nll, t
		}
	}
	return math.Round(bt*100) / 100
}

// bestUnknownCut: the probability below which the cause is unknown, best
// for the mean of exact accuracy and macro-F1 out of fold.
func bestUnknownCut(items []causeFitItem, oof [][numCauseClasses]float64, t float64) float64 {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	best, bc := -1.0, 0.0
	for cut := 0.0; cut <= 0.6001; cut += 0.025 {
		s := scoreCause(items, idx, func(k int) bwv1.Cause { return argmaxCause(items[k], oof[k], t, cut) })
		if v := (s.all.exact() + s.all.macroF1()) / 2; v > best+1e-9 {
			best, bc = v, cut
		}
	}
	return math.Round(bc*1000) / 1000
}

// causeTally counts what score.py counts for the cause field.
type causeTally struct {
	n, hit int
	cm     map[int]map[int]int // gold -> predicted (-1 for none)
}

func (t *causeTally) add(it causeFitItem, pred bwv1.Cause) {
	p := int(pred) - 1 // -1: no cause
	t.n++
	if it.ok[p] {
		t.hit++
	}
	if t.cm == nil {
		t.cm = map[int]map[int]int{}
	}
	if t.cm[it.y] == nil {
		t.cm[it.y] = map[int]int{}
	}
	t.cm[it.y][p]++
}

func (t *causeTally) exact() float64 { return float64(t.hit) / float64(max(t.n, 1)) }

// macroF1 over the gold classes, as score.py computes it.
func (t *causeTally) macroF1() float64 {
	sum, n := 0.0, 0
	for lab, row := range t.cm {
		tp := row[lab]
		fp := 0
		for o, r := range t.cm {
			if o != lab {
				fp += r[lab]
			}
		}
		fn := 0
		for k, v := range row {
			if k != lab {
				fn += v
			}
		}
		var pr, rc float64
		if tp+fp > 0 {
			pr = float64(tp) / float64(tp+fp)
		}
		if tp+fn > 0 {
			rc = float64(tp) / float64(tp+fn)
		}
		if pr+rc > 0 {
			sum += 2 * pr * rc / (pr + rc)
		}
		n++
	}
	return sum / float64(max(n, 1))
}

type causeScores struct {
	all causeTally
	by  map[string]*causeTally
}

func (s causeScores) sourceNames() []string { return slices.Sorted(maps.Keys(s.by)) }

func scoreCause(items []causeFitItem, idx []int, pred func(k int) bwv1.Cause) causeScores {
	s := causeScores{by: map[string]*causeTally{}}
	for _, k := range idx {
		p := pred(k)
		s.all.add(items[k], p)
		src := items[k].pool.Source
		if s.by[src] == nil {
			s.by[src] = &causeTally{}
		}
		s.by[src].add(items[k], p)
	}
	return s
}

// meanCauseScores averages exact and macro-F1 over runs, as tallies that
// report those means.
func meanCauseScores(runs []causeScores) meanScores {
	out := meanScores{by: map[string]*meanTally{}}
	for _, r := range runs {
		out.all.add(&r.all, len(runs))
		for s, t := range r.by {
			if out.by[s] == nil {
				out.by[s] = &meanTally{}
			}
			out.by[s].add(t, len(runs))
		}
	}
	return out
}

type meanTally struct {
	n     int
	ex, f float64
}

func (m *meanTally) add(t *causeTally, runs int) {
	m.n = t.n
	m.ex += t.exact() / float64(runs)
	m.f += t.macroF1() / float64(runs)
}
func (m *meanTally) exact() float64   { return m.ex }
func (m *meanTally) macroF1() float64 { return m.f }

type meanScores struct {
	all meanTally
	by  map[string]*meanTally
}

func (s meanScores) sourceNames() []string { return slices.Sorted(maps.Keys(s.by)) }

func printCauseTable(cv meanScores, rules causeScores) {
	fmt.Printf("  %-8s %5s  %-21s %-21s\n", "source", "n", "model exact / mF1", "rules exact / mF1")
	for _, s := range cv.sourceNames() {
		fmt.Printf("  %-8s %5d  %.3f / %.3f         %.3f / %.3f\n", shortSource(s), cv.by[s].n, cv.by[s].exact(), cv.by[s].macroF1(),
			rules.by[s].exact(), rules.by[s].macroF1())
	}
	fmt.Printf("  %-8s %5d  %.3f / %.3f         %.3f / %.3f\n", "all", cv.all.n, cv.all.exact(), cv.all.macroF1(), rules.all.exact(), rules.all.macroF1())
}

func sourceCounts(items []causeFitItem) string {
	n := map[string]int{}
	for _, it := range items {
		n[shortSource(it.pool.Source)]++
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(n)) {
		parts = append(parts, k+" "+strconv.Itoa(n[k]))
	}
	return strings.Join(parts, ", ")
}

// goSource renders cause_weights.go.
func (m *causeFit) goSource(cfg causeFitConfig, prov string, temp, cut float64) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "// Code generated by scripts/fit-cause; DO NOT EDIT.\n")
	for _, line := range wrapComment(fmt.Sprintf("Multinomial logistic regression (L2 %g on the terms, %g on the standardised rule totals; class weights (n/n_c)^%g) over the rules' per-category totals and the words and word pairs of each sentence (terms in at least %d items of at least %d organisations, no name). Fitted on %s. Temperature and unknown threshold from the out-of-fold probabilities.",
		cfg.lambdaTerms, cfg.lambdaCues, cfg.balance, cfg.minDF, cfg.minGroups, prov), 76) {
		fmt.Fprintf(&b, "// %s\n", line)
	}
	b.WriteString("\npackage rules\n\n// causeBias is each class's bias (class k is Cause k+1).\nvar causeBias = [numCauseClasses]float64{")
	for _, v := range m.bias {
		fmt.Fprintf(&b, "%.4f, ", v)
	}
	b.WriteString("}\n\n// causeCueWeights: the weight of each dense feature (causeCueNames) for each class.\nvar causeCueWeights = [numCauseCues][numCauseClasses]float64{\n")
	for j, row := range m.cues {
		b.WriteString("\t{")
		for _, v := range row {
			fmt.Fprintf(&b, "%.4f, ", v)
		}
		fmt.Fprintf(&b, "}, // %s\n", causeCueNames[j])
	}
	fmt.Fprintf(&b, "}\n\nconst (\n\tcauseTemperature = %g\n\tcauseUnknownBelow = %g\n\tcauseContributingAt = 0.3\n)\n\n", temp, cut)
	b.WriteString("// causeTerms: each word or word pair with its weight for each class.\nvar causeTerms = []causeTerm{\n")
	for _, t := range m.terms {
		fmt.Fprintf(&b, "\t{%q, [numCauseClasses]float32{", t.term)
		for _, v := range t.w {
			b.WriteString(strconv.FormatFloat(float64(v), 'g', 3, 32) + ",")
		}
		b.WriteString("}},\n")
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

func wrapComment(s string, width int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			out = append(out, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(out, line)
}

func envFloat(t *testing.T, name string, v *float64) {
	if s := os.Getenv(name); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		*v = f
	}
}

func envInt(t *testing.T, name string, v *int) {
	if s := os.Getenv(name); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		*v = n
	}
}

// printCauseConfusion prints out-of-fold counts, gold class by row.
func printCauseConfusion(items []causeFitItem, pred func(k int) bwv1.Cause) {
	short := func(c int) string {
		if c < 0 {
			return "none"
		}
		n := strings.TrimPrefix(bwv1.Cause(c+1).String(), "CAUSE_")
		return strings.ToLower(n[:min(6, len(n))])
	}
	var cm [numCauseClasses][numCauseClasses + 1]int
	for k, it := range items {
		p := int(pred(k)) - 1
		if p < 0 {
			p = numCauseClasses // no cause at all
		}
		cm[it.y][p]++
	}
	fmt.Printf("\nout-of-fold confusion (last shuffle; rows gold, columns predicted):\n%8s", "")
	for c := range numCauseClasses {
		fmt.Printf(" %6s", short(c))
	}
	fmt.Printf(" %6s\n", "none")
	for g := range numCauseClasses {
		fmt.Printf("%8s", short(g))
		for _, v := range cm[g] {
			fmt.Printf(" %6d", v)
		}
		fmt.Println()
	}
}
