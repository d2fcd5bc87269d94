package rules

import (
	"bufio"
	"encoding/json"
	"fmt"
	"go/format"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestRelevanceFit fits the relevance weights on the labelled news in
// ../shared (never in the repository): an L2-regularised logistic regression
// over the cue features (standardised) and the lexicon words (present or
// not). It reports precision and recall under repeated stratified 5-fold
// cross-validation, then fits on all the data. It runs only when
// RELEVANCE_FIT is set (scripts/fit-relevance sets it); with
// RELEVANCE_FIT_WRITE it writes relevance_weights.go.
//
// The lexicon is chosen by the fit from the training articles alone: every
// word in at least RELEVANCE_FIT_MIN_DF of them (default 10), except words
// that are mostly capitalised inside a sentence, which name a company, a
// product or a place: the weights should describe the kind of text, not the
// stories of the training set. The decision threshold is the one with the
// best worst-case margin over the targets (precision 0.85, recall 0.90) on
// out-of-fold scores of the training articles, since a model with a word
// lexicon scores its own training articles too well to place a threshold.
func TestRelevanceFit(t *testing.T) {
	if os.Getenv("RELEVANCE_FIT") == "" {
		t.Skip("RELEVANCE_FIT not set")
	}
	in := os.Getenv("RELEVANCE_FIT_INPUT")
	if in == "" {
		in = filepath.Join(devTexts, "relevance_dev.jsonl")
	}
	cfg := fitConfig{lambdaWords: 30, lambdaCues: 10, minDF: 10, folds: 5, repeats: 10}
	envFloat := func(name string, v *float64) {
		if s := os.Getenv(name); s != "" {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			*v = f
		}
	}
	envInt := func(name string, v *int) {
		if s := os.Getenv(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			*v = n
		}
	}
	envFloat("RELEVANCE_FIT_LAMBDA_WORDS", &cfg.lambdaWords)
	envFloat("RELEVANCE_FIT_LAMBDA_CUES", &cfg.lambdaCues)
	envInt("RELEVANCE_FIT_MIN_DF", &cfg.minDF)
	envInt("RELEVANCE_FIT_REPEATS", &cfg.repeats)
	items, err := loadFitItems(in)
	if err != nil {
		t.Fatal(err)
	}
	pos := 0
	for _, it := range items {
		if it.y {
			pos++
		}
	}
	fmt.Printf("%d items (%d positive), %d cue features; lambda %g on words, %g on standardised cues; words in >= %d articles\n",
		len(items), pos, numRelFeatures, cfg.lambdaWords, cfg.lambdaCues, cfg.minDF)

	cv := crossValidate(items, cfg)
	var cvp, cvr float64
	for k, r := range cv {
		fmt.Printf("  %d-fold CV shuffle %d: precision %.3f recall %.3f\n", cfg.folds, k, r[0], r[1])
		cvp += r[0] / float64(len(cv))
		cvr += r[1] / float64(len(cv))
	}
	fmt.Printf("%d-fold CV mean: precision %.3f recall %.3f\n", cfg.folds, cvp, cvr)

	all := make([]int, len(items))
	for i := range all {
		all[i] = i
	}
	m := fitRelevance(items, all, cfg)
	cut := pickCut(items, all, cfg, 7777)
	var pred []bool
	for _, it := range items {
		pred = append(pred, m.margin(it) >= cut)
	}
	p, r := precisionRecall(items, all, pred)
	fmt.Printf("fit on all data: precision %.3f recall %.3f (cut %.3f), lexicon of %d words\n", p, r, cut, len(m.words))
	order := make([]int, numRelFeatures)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return math.Abs(m.cues[order[a]]) > math.Abs(m.cues[order[b]]) })
	for _, i := range order {
		fmt.Printf("  %-14s %+.3f\n", relFeatureNames[i], m.cues[i])
	}
	words := slices.Clone(m.words)
	sort.SliceStable(words, func(a, b int) bool { return math.Abs(words[a].weight) > math.Abs(words[b].weight) })
	for _, w := range words[:min(20, len(words))] {
		fmt.Printf("  word %-14s %+.3f\n", w.word, w.weight)
	}
	if out := os.Getenv("RELEVANCE_FIT_WRITE"); out != "" {
		src, err := format.Source(m.goSource(cfg, len(items), cvp, cvr, len(cv), p, r, cut))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, src, 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Println("wrote", out)
	}
}

// nCues is the number of cue features, as an int.
const nCues = int(numRelFeatures)

type fitConfig struct {
	lambdaWords, lambdaCues float64
	minDF, folds, repeats   int
}

// fitItem is one labelled article: its cue features and, for each word, how
// often it appears inside a sentence and how often capitalised there.
type fitItem struct {
	y     bool
	cues  [numRelFeatures]float64
	words map[string]wordUse
	keys  []string // the words, sorted: sums run in one order, so fits repeat exactly
}

type wordUse struct{ inside, capitalised int }

func loadFitItems(path string) ([]fitItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var items []fitItem
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var raw struct {
			Title    string `json:"title"`
			Text     string `json:"text"`
			IsBreach bool   `json:"is_breach"`
		}
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			return nil, err
		}
		// The same text the eval gives `breachwire classify`: headline,
		// blank line, body; the headline is the title.
		text, title := raw.Text, ""
		if raw.Title != "" {
			text, title = raw.Title+"\n\n"+raw.Text, raw.Title
		}
		d := newDoc(text, title)
		it := fitItem{y: raw.IsBreach, cues: relevanceFeatures(d), words: map[string]wordUse{}}
		forEachWord(d.lower, func(start, end int) {
			u := it.words[d.lower[start:end]]
			if insideSentence(d.text, start) {
				u.inside++
				if 'A' <= d.text[start] && d.text[start] <= 'Z' {
					u.capitalised++
				}
			}
			it.words[d.lower[start:end]] = u
		})
		for w := range it.words {
			it.keys = append(it.keys, w)
		}
		sort.Strings(it.keys)
		items = append(items, it)
	}
	return items, sc.Err()
}

// insideSentence: the word at start follows a lower-case letter, a digit or
// a comma (spaces aside), so its capital, if any, is not the sentence's.
func insideSentence(text string, start int) bool {
	i := start - 1
	for i >= 0 && (text[i] == ' ' || text[i] == '\t') {
		i--
	}
	if i < 0 || i == start-1 {
		return false
	}
	c := text[i]
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == ','
}

// relModel is a fitted model in raw units: margin = bias + cues·x + the
// weights of the lexicon words present.
type relModel struct {
	bias  float64
	cues  [numRelFeatures]float64
	words []relWord // sorted by word
	index map[string]int
}

func (m *relModel) margin(it fitItem) float64 {
	z := m.bias
	for i, v := range it.cues {
		z += m.cues[i] * v
	}
	for _, w := range it.keys {
		if i, ok := m.index[w]; ok {
			z += m.words[i].weight
		}
	}
	return z
}

// lexiconOf: the words in at least minDF of the training articles that are
// not mostly capitalised inside sentences.
func lexiconOf(items []fitItem, train []int, minDF int) []string {
	df := map[string]int{}
	use := map[string]wordUse{}
	for _, i := range train {
		for w, u := range items[i].words { // counts only: order does not matter
			df[w]++
			s := use[w]
			s.inside += u.inside
			s.capitalised += u.capitalised
			use[w] = s
		}
	}
	var lex []string
	for w, n := range df {
		if n >= minDF && use[w].capitalised*2 <= use[w].inside {
			lex = append(lex, w)
		}
	}
	sort.Strings(lex)
	return lex
}

// fitRelevance fits the logistic regression on the train items.
func fitRelevance(items []fitItem, train []int, cfg fitConfig) *relModel {
	lex := lexiconOf(items, train, cfg.minDF)
	index := make(map[string]int, len(lex))
	for i, w := range lex {
		index[w] = i
	}
	// Standardise the cues on the training items.
	mean, sd := meanSD(nCues, func(yield func([]float64) bool) {
		for _, i := range train {
			if !yield(items[i].cues[:]) {
				return
			}
		}
	})
	p := &logistic{dense: nCues, params: 1 + nCues + len(lex)}
	for _, i := range train {
		var row [numRelFeatures]float64
		for j, v := range items[i].cues {
			row[j] = (v - mean[j]) / sd[j]
		}
		var ws []int32
		for _, w := range items[i].keys {
			if k, ok := index[w]; ok {
				ws = append(ws, int32(1+nCues+k))
			}
		}
		p.rows = append(p.rows, row[:])
		p.sparse = append(p.sparse, ws)
		y := 0.0
		if items[i].y {
			y = 1
		}
		p.y = append(p.y, y)
	}
	p.lambda = make([]float64, p.params)
	for j := 1; j < p.params; j++ {
		p.lambda[j] = cfg.lambdaWords
		if j <= nCues {
			p.lambda[j] = cfg.lambdaCues
		}
	}
	theta := p.solve()
	m := &relModel{bias: theta[0], index: index}
	for j := range numRelFeatures {
		m.cues[j] = theta[1+j] / sd[j]
		m.bias -= theta[1+j] * mean[j] / sd[j]
	}
	for k, w := range lex {
		m.words = append(m.words, relWord{word: w, weight: theta[1+nCues+k]})
	}
	return m
}

// pickCut chooses the margin threshold on out-of-fold scores of the train
// items (an inner stratified cross-validation).
func pickCut(items []fitItem, train []int, cfg fitConfig, seed uint64) float64 {
	oof := make([]float64, len(train))
	forFolds(train, stratifiedFolds(items, train, cfg.folds, seed), cfg.folds, func(tr, held []int) {
		inner := fitRelevance(items, tr, cfg)
		for _, k := range held {
			oof[k] = inner.margin(items[train[k]])
		}
	})
	ys := make([]bool, len(train))
	for k, i := range train {
		ys[k] = items[i].y
	}
	return bestCut(oof, ys)
}

// forFolds calls fn for each of n folds, in parallel, with the items it
// trains on and the positions in idx of the items it holds out.
func forFolds(idx, folds []int, n int, fn func(train, held []int)) {
	var wg sync.WaitGroup
	for f := range n {
		var train, held []int
		for k, i := range idx {
			if folds[k] == f {
				held = append(held, k)
			} else {
				train = append(train, i)
			}
		}
		wg.Go(func() { fn(train, held) })
	}
	wg.Wait()
}

// bestCut: the margin cut-off with the best worst-case distance to the
// targets, placed midway to the next lower margin so that it does not sit
// on an item.
func bestCut(zs []float64, ys []bool) float64 {
	order := make([]int, len(zs))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return zs[order[a]] > zs[order[b]] })
	pos := 0
	for _, y := range ys {
		if y {
			pos++
		}
	}
	best, cut := math.Inf(-1), 0.0
	tp, fp := 0, 0
	for k := 0; k < len(order); k++ {
		if ys[order[k]] {
			tp++
		} else {
			fp++
		}
		if k+1 < len(order) && zs[order[k+1]] == zs[order[k]] {
			continue // ties are cut together
		}
		p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(max(pos, 1))
		if mg := math.Min(p-0.85, r-0.90); mg > best {
			best, cut = mg, zs[order[k]]
			if k+1 < len(order) {
				cut = (zs[order[k]] + zs[order[k+1]]) / 2
			}
		}
	}
	return cut
}

// stratifiedFolds assigns each of the idx items a fold, positives and
// negatives shuffled apart and dealt round-robin.
func stratifiedFolds(items []fitItem, idx []int, folds int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var pos, neg []int
	for k, i := range idx {
		if items[i].y {
			pos = append(pos, k)
		} else {
			neg = append(neg, k)
		}
	}
	rng.Shuffle(len(pos), func(a, b int) { pos[a], pos[b] = pos[b], pos[a] })
	rng.Shuffle(len(neg), func(a, b int) { neg[a], neg[b] = neg[b], neg[a] })
	out := make([]int, len(idx))
	for n, k := range pos {
		out[k] = n % folds
	}
	for n, k := range neg {
		out[k] = n % folds
	}
	return out
}

// crossValidate returns precision and recall for each shuffle of a
// stratified k-fold cross-validation; the threshold of each fold is picked
// on its own training items.
func crossValidate(items []fitItem, cfg fitConfig) [][2]float64 {
	all := make([]int, len(items))
	for i := range all {
		all[i] = i
	}
	out := make([][2]float64, cfg.repeats)
	for r := range cfg.repeats {
		pred := make([]bool, len(items))
		folds := stratifiedFolds(items, all, cfg.folds, uint64(r))
		forFolds(all, folds, cfg.folds, func(tr, held []int) {
			m := fitRelevance(items, tr, cfg)
			cut := pickCut(items, tr, cfg, uint64(1000+10*r+folds[held[0]]))
			for _, i := range held {
				pred[i] = m.margin(items[i]) >= cut
			}
		})
		p, rc := precisionRecall(items, all, pred)
		out[r] = [2]float64{p, rc}
	}
	return out
}

func precisionRecall(items []fitItem, idx []int, pred []bool) (float64, float64) {
	var tp, fp, fn int
	for k, i := range idx {
		switch {
		case pred[k] && items[i].y:
			tp++
		case pred[k]:
			fp++
		case items[i].y:
			fn++
		}
	}
	if tp == 0 {
		return 0, 0
	}
	return float64(tp) / float64(tp+fp), float64(tp) / float64(tp+fn)
}

// logistic is an L2-regularised logistic regression problem: each row has
// dense features (params 1..dense) and word indicators (sparse, indices
// into the parameters); parameter 0 is the bias, not penalised.
type logistic struct {
	dense, params int
	rows          [][]float64
	sparse        [][]int32
	y             []float64
	lambda        []float64
}

func (p *logistic) dot(theta []float64, i int) float64 {
	z := theta[0]
	for j, v := range p.rows[i] {
		z += theta[1+j] * v
	}
	for _, k := range p.sparse[i] {
		z += theta[k]
	}
	return z
}

// addRow adds c times row i to g.
func (p *logistic) addRow(g []float64, i int, c float64) {
	g[0] += c
	for j, v := range p.rows[i] {
		g[1+j] += c * v
	}
	for _, k := range p.sparse[i] {
		g[k] += c
	}
}

func (p *logistic) loss(theta []float64) float64 {
	f := 0.0
	for i := range p.y {
		z := p.dot(theta, i)
		f += math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - p.y[i]*z
	}
	for j, l := range p.lambda {
		f += l * theta[j] * theta[j] / 2
	}
	return f
}

// solve minimises the loss by truncated Newton (conjugate gradients on
// Hessian-vector products) with a backtracking line search.
func (p *logistic) solve() []float64 {
	theta := make([]float64, p.params)
	prob := make([]float64, len(p.y))
	g0 := -1.0
	for iter := 0; iter < 100; iter++ {
		g := make([]float64, p.params)
		for i := range p.y {
			prob[i] = 1 / (1 + math.Exp(-p.dot(theta, i)))
			p.addRow(g, i, prob[i]-p.y[i])
		}
		for j, l := range p.lambda {
			g[j] += l * theta[j]
		}
		gn := norm(g)
		if g0 < 0 {
			g0 = gn
		}
		if gn <= 1e-8*math.Max(1, g0) {
			break
		}
		hv := func(v []float64) []float64 {
			out := make([]float64, p.params)
			for i := range p.y {
				p.addRow(out, i, prob[i]*(1-prob[i])*p.dot(v, i))
			}
			for j, l := range p.lambda {
				out[j] += l * v[j]
			}
			return out
		}
		step := conjugateGradient(hv, g, 0.01*gn)
		f0, slope := p.loss(theta), dotv(g, step)
		t := 1.0
		next := make([]float64, p.params)
		for range 40 {
			for j := range theta {
				next[j] = theta[j] + t*step[j]
			}
			if p.loss(next) <= f0+1e-4*t*slope {
				break
			}
			t /= 2
		}
		copy(theta, next)
	}
	return theta
}

// conjugateGradient solves H s = -g approximately, to residual tol.
func conjugateGradient(hv func([]float64) []float64, g []float64, tol float64) []float64 {
	s := make([]float64, len(g))
	r := make([]float64, len(g))
	for j := range g {
		r[j] = -g[j]
	}
	d := slices.Clone(r)
	rr := dotv(r, r)
	for range 200 {
		if math.Sqrt(rr) <= tol {
			break
		}
		hd := hv(d)
		a := rr / dotv(d, hd)
		for j := range s {
			s[j] += a * d[j]
			r[j] -= a * hd[j]
		}
		next := dotv(r, r)
		for j := range d {
			d[j] = r[j] + next/rr*d[j]
		}
		rr = next
	}
	return s
}

func dotv(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func norm(a []float64) float64 { return math.Sqrt(dotv(a, a)) }

// goSource renders relevance_weights.go: the cue weights, the bias with the
// threshold folded in (a score of 0.5 is the boundary), and the lexicon.
func (m *relModel) goSource(cfg fitConfig, n int, cvp, cvr float64, repeats int, p, r, cut float64) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `// Code generated by scripts/fit-relevance; DO NOT EDIT.
// L2-regularised logistic regression (lambda %g on the words, %.4g on the
// standardised cue features) fitted on %d labelled news articles; %d-fold
// cross-validated precision %.3f, recall %.3f (mean of %d shuffles). Fit on
// all data, threshold from out-of-fold scores: precision %.3f, recall %.3f.

package rules

// relWeights and relBias are the fitted weights of the relevance features
// (relFeature order); the decision threshold is folded into relBias, so a
// score of 0.5 is the boundary.
var relWeights = [numRelFeatures]float64{
`, cfg.lambdaWords, cfg.lambdaCues, n, cfg.folds, cvp, cvr, repeats, p, r)
	for i, w := range m.cues {
		fmt.Fprintf(&b, "\t%.4f, // %s\n", w, relFeatureNames[i])
	}
	fmt.Fprintf(&b, "}\n\nconst relBias = %.4f\n\n", m.bias-cut)
	fmt.Fprintf(&b, `// relWords is the lexicon: words found in at least %d of the articles, not
// mostly capitalised inside a sentence, each with the weight it adds when
// present.
var relWords = []relWord{
`, cfg.minDF)
	for _, w := range m.words {
		fmt.Fprintf(&b, "\t{%q, %.4f},\n", w.word, w.weight)
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

// The fitting machinery on synthetic data: a cue and a word that go with the
// label get positive weights, a word that goes against it a negative one, a
// rare word stays out of the lexicon, and so does a word that is mostly
// capitalised inside sentences.
func TestRelevanceFitterOnSyntheticData(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var items []fitItem
	for n := range 300 {
		it := fitItem{y: n%2 == 0, words: map[string]wordUse{}}
		signal := 0.0
		if it.y {
			signal = 1
		}
		it.cues[fSelf] = signal + rng.NormFloat64()*0.8
		add := func(w string, u wordUse) { it.words[w] = u }
		if rng.Float64() < 0.3+0.4*signal {
			add("reported", wordUse{inside: 1})
		}
		if rng.Float64() < 0.7-0.4*signal {
			add("tutorial", wordUse{inside: 1})
		}
		if rng.Float64() < 0.5 {
			add("acme", wordUse{inside: 2, capitalised: 2})
		}
		if n < 3 {
			add("rare", wordUse{inside: 1})
		}
		for w := range it.words {
			it.keys = append(it.keys, w)
		}
		sort.Strings(it.keys)
		items = append(items, it)
	}
	cfg := fitConfig{lambdaWords: 1, lambdaCues: 1, minDF: 10, folds: 5, repeats: 2}
	all := make([]int, len(items))
	for i := range all {
		all[i] = i
	}
	m := fitRelevance(items, all, cfg)
	w := map[string]float64{}
	for _, rw := range m.words {
		w[rw.word] = rw.weight
	}
	if _, ok := w["rare"]; ok {
		t.Error("a word in 3 articles entered a lexicon of words in at least 10")
	}
	if _, ok := w["acme"]; ok {
		t.Error("a capitalised name entered the lexicon")
	}
	if m.cues[fSelf] <= 0 || w["reported"] <= 0 || w["tutorial"] >= 0 {
		t.Errorf("weights: cue %v, reported %v, tutorial %v", m.cues[fSelf], w["reported"], w["tutorial"])
	}
	for _, r := range crossValidate(items, cfg) {
		if r[0] < 0.7 || r[1] < 0.7 {
			t.Errorf("cross-validated precision %.3f recall %.3f on separable-enough data", r[0], r[1])
		}
	}
}

func TestBestCut(t *testing.T) {
	// Cutting between 2 and 1 keeps both positives and no negative.
	if got := bestCut([]float64{3, 1, 2, 0}, []bool{true, false, true, false}); got != 1.5 {
		t.Errorf("cut %v, want 1.5", got)
	}
	// Tied margins are cut together: never between equal scores.
	cut := bestCut([]float64{2, 1, 1, 0}, []bool{true, true, false, false})
	if cut <= 0 || cut > 1 {
		t.Errorf("cut %v splits the tie at 1 or drops it", cut)
	}
}
