package rules

import (
	"iter"
	"math"
	"slices"
)

// meanSD is the mean and standard deviation of each of dim columns over
// rows (a zero deviation is taken as 1, so that standardising divides by
// something); the fitters standardise their dense features with it.
func meanSD(dim int, rows iter.Seq[[]float64]) (mean, sd []float64) {
	mean, sd = make([]float64, dim), make([]float64, dim)
	n := 0.0
	for x := range rows {
		n++
		for j, v := range x {
			mean[j] += v
		}
	}
	n = max(n, 1)
	for j := range mean {
		mean[j] /= n
	}
	for x := range rows {
		for j, v := range x {
			sd[j] += (v - mean[j]) * (v - mean[j]) / n
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j])
		if sd[j] == 0 {
			sd[j] = 1
		}
	}
	return mean, sd
}

// softmaxProblem is an L2-regularised multinomial logistic regression: each
// row has dense features (parameters 1..dense of every class) and indicator
// features (sparse, parameter indices); parameter 0 of each class is its
// bias, not penalised. weight scales each row's loss (class balancing);
// scale is the value of each of a row's indicators (1 when nil).
type softmaxProblem struct {
	classes, params int
	dense           [][]float64
	sparse          [][]int32
	y               []int
	weight          []float64
	scale           []float64
	lambda          []float64 // per parameter, the same for every class
}

func (p *softmaxProblem) rowScale(i int) float64 {
	if p.scale == nil {
		return 1
	}
	return p.scale[i]
}

func (p *softmaxProblem) scores(theta []float64, i int, z []float64) {
	sc := p.rowScale(i)
	for c := range p.classes {
		w := theta[c*p.params : (c+1)*p.params]
		s := w[0]
		for j, v := range p.dense[i] {
			s += w[1+j] * v
		}
		t := 0.0
		for _, k := range p.sparse[i] {
			t += w[k]
		}
		z[c] = s + sc*t
	}
}

// lossGrad returns the loss and writes its gradient into g.
func (p *softmaxProblem) lossGrad(theta, g []float64) float64 {
	clear(g)
	z := make([]float64, p.classes)
	f := 0.0
	for i := range p.y {
		p.scores(theta, i, z)
		m := slices.Max(z)
		sum := 0.0
		for c := range z {
			z[c] = math.Exp(z[c] - m)
			sum += z[c]
		}
		wi := p.weight[i]
		f += wi * -math.Log(z[p.y[i]]/sum)
		for c := range p.classes {
			d := z[c] / sum
			if c == p.y[i] {
				d--
			}
			d *= wi
			if d == 0 {
				continue
			}
			gc := g[c*p.params : (c+1)*p.params]
			gc[0] += d
			for j, v := range p.dense[i] {
				gc[1+j] += d * v
			}
			ds := d * p.rowScale(i)
			for _, k := range p.sparse[i] {
				gc[k] += ds
			}
		}
	}
	for c := range p.classes {
		for j, l := range p.lambda {
			t := theta[c*p.params+j]
			f += l * t * t / 2
			g[c*p.params+j] += l * t
		}
	}
	return f
}

// solve minimises the loss.
func (p *softmaxProblem) solve() []float64 {
	return minimizeLBFGS(p.classes*p.params, p.lossGrad)
}

// minimizeLBFGS minimises a smooth function of n parameters from zero with
// L-BFGS (ten corrections) and a backtracking line search; lossGrad returns
// the value and writes the gradient.
func minimizeLBFGS(n int, lossGrad func(theta, g []float64) float64) []float64 {
	return minimizeLBFGSFrom(make([]float64, n), lossGrad)
}

// minimizeLBFGSFrom is minimizeLBFGS from the start point theta0.
func minimizeLBFGSFrom(theta0 []float64, lossGrad func(theta, g []float64) float64) []float64 {
	n := len(theta0)
	theta := slices.Clone(theta0)
	g := make([]float64, n)
	f := lossGrad(theta, g)
	g0 := norm(g)
	const m = 10
	var ss, ys [][]float64
	var rho []float64
	next := make([]float64, n)
	gn := make([]float64, n)
	for iter := 0; iter < 500; iter++ {
		if norm(g) <= 1e-6*math.Max(1, g0) {
			break
		}
		// Two-loop recursion: d = -H g.
		d := slices.Clone(g)
		alpha := make([]float64, len(ss))
		for k := len(ss) - 1; k >= 0; k-- {
			alpha[k] = rho[k] * dotv(ss[k], d)
			for j := range d {
				d[j] -= alpha[k] * ys[k][j]
			}
		}
		if len(ss) > 0 {
			last := len(ss) - 1
			gamma := dotv(ss[last], ys[last]) / dotv(ys[last], ys[last])
			for j := range d {
				d[j] *= gamma
			}
		} else {
			s := 1 / math.Max(norm(g), 1)
			for j := range d {
				d[j] *= s
			}
		}
		for k := range ss {
			b := rho[k] * dotv(ys[k], d)
			for j := range d {
				d[j] += ss[k][j] * (alpha[k] - b)
			}
		}
		for j := range d {
			d[j] = -d[j]
		}
		slope := dotv(g, d)
		if slope >= 0 { // not a descent direction: start over from the gradient
			ss, ys, rho = nil, nil, nil
			for j := range d {
				d[j] = -g[j] / math.Max(norm(g), 1)
			}
			slope = dotv(g, d)
		}
		t := 1.0
		var fn float64
		for range 40 {
			for j := range theta {
				next[j] = theta[j] + t*d[j]
			}
			fn = lossGrad(next, gn)
			if fn <= f+1e-4*t*slope {
				break
			}
			t /= 2
		}
		s := make([]float64, n)
		y := make([]float64, n)
		for j := range s {
			s[j] = next[j] - theta[j]
			y[j] = gn[j] - g[j]
		}
		copy(theta, next)
		copy(g, gn)
		converged := f-fn <= 1e-10*math.Max(1, math.Abs(f))
		f = fn
		if sy := dotv(s, y); sy > 1e-12 {
			ss, ys, rho = append(ss, s), append(ys, y), append(rho, 1/sy)
			if len(ss) > m {
				ss, ys, rho = ss[1:], ys[1:], rho[1:]
			}
		}
		if converged {
			break
		}
	}
	return theta
}

// rankProblem is an L2-regularised conditional logit: each group (one
// document) has candidate rows of dense features, some of them right; the
// probability of a candidate is the softmax of w·x over its group's
// candidates, and the loss is minus the log of the probability of the
// right ones together. No bias: it would cancel within a group. The L2
// penalty is on the distance from center, a prior such as hand weights.
type rankProblem struct {
	dim          int           // dense features first, then the indicators
	groups       [][][]float64 // group, candidate, dense feature
	sparse       [][][]int32   // group, candidate: indicators present (parameter indices); nil for none
	right        [][]bool
	lambdaSparse float64   // penalty of the indicators' parameters (lambda if 0)
	weight       []float64 // per group
	lambda       float64
	center       []float64 // the penalty pulls w towards this (nil: zero)
}

func (p *rankProblem) lossGrad(w, g []float64) float64 {
	clear(g)
	f := 0.0
	for gi, rows := range p.groups {
		z := make([]float64, len(rows))
		for k, x := range rows {
			z[k] = dotv(w[:len(x)], x)
			if p.sparse != nil {
				for _, j := range p.sparse[gi][k] {
					z[k] += w[j]
				}
			}
		}
		m := slices.Max(z)
		all, right := 0.0, 0.0
		for k := range z {
			z[k] = math.Exp(z[k] - m)
			all += z[k]
			if p.right[gi][k] {
				right += z[k]
			}
		}
		if right == 0 {
			continue // no right candidate: nothing to learn from the group
		}
		wg := p.weight[gi]
		f += wg * (math.Log(all) - math.Log(right))
		for k, x := range rows {
			d := z[k] / all
			if p.right[gi][k] {
				d -= z[k] / right
			}
			for j, v := range x {
				g[j] += wg * d * v
			}
			if p.sparse != nil {
				for _, j := range p.sparse[gi][k] {
					g[j] += wg * d
				}
			}
		}
	}
	dense := p.dim
	if len(p.groups) > 0 && len(p.groups[0]) > 0 {
		dense = len(p.groups[0][0])
	}
	for j, v := range w {
		if p.center != nil {
			v -= p.center[j]
		}
		l := p.lambda
		if j >= dense && p.lambdaSparse > 0 {
			l = p.lambdaSparse
		}
		f += l * v * v / 2
		g[j] += l * v
	}
	return f
}

func (p *rankProblem) solve() []float64 { return minimizeLBFGS(p.dim, p.lossGrad) }

// choiceGroup is one document for fitChoice: its candidates' dense
// features (raw units) and indicator ids (0-based, into the indicator
// parameters), which candidates are right, whether "none" is, and how much
// the document counts.
type choiceGroup struct {
	x         [][]float64
	ids       [][]int32
	right     []bool
	noneRight bool
	weight    float64
}

// choiceFit is a fitted chooser in raw units: a candidate's margin is
// w·x + the weights of its indicators; "none" has margin none.
type choiceFit struct {
	w, indicators []float64
	none          float64
}

// fitChoice fits a conditional logit over the groups' candidates and a
// "none" choice: dense features standardised on the candidates, the L2
// penalty lambda on them (lambdaIndicators on the indicators) pulling
// towards prior (raw units, with priorNone the margin of "none"; nil for
// zero), solved by L-BFGS.
func fitChoice(groups []choiceGroup, dense, indicators int, lambda, lambdaIndicators float64, prior []float64, priorNone float64) choiceFit {
	mean, sd := meanSD(dense, func(yield func([]float64) bool) {
		for _, g := range groups {
			for _, x := range g.x {
				if !yield(x) {
					return
				}
			}
		}
	})
	// Parameters: the dense weights, "none", then the indicators.
	p := &rankProblem{dim: dense + 1 + indicators, lambda: lambda, lambdaSparse: lambdaIndicators}
	if prior != nil {
		p.center = make([]float64, p.dim)
		p.center[dense] = priorNone
		for j := range dense {
			p.center[j] = prior[j] * sd[j]
			p.center[dense] -= prior[j] * mean[j]
		}
	}
	none := make([]float64, dense+1)
	none[dense] = 1
	for _, g := range groups {
		var rows [][]float64
		var sparse [][]int32
		for k, x := range g.x {
			row := make([]float64, dense+1)
			for j, v := range x {
				row[j] = (v - mean[j]) / sd[j]
			}
			rows = append(rows, row)
			var ids []int32
			if g.ids != nil {
				for _, id := range g.ids[k] {
					ids = append(ids, int32(dense+1)+id)
				}
			}
			sparse = append(sparse, ids)
		}
		p.groups = append(p.groups, append(rows, none))
		p.sparse = append(p.sparse, append(sparse, nil))
		p.right = append(p.right, append(slices.Clone(g.right), g.noneRight))
		p.weight = append(p.weight, g.weight)
	}
	start := make([]float64, p.dim)
	if p.center != nil {
		copy(start, p.center)
	}
	theta := minimizeLBFGSFrom(start, p.lossGrad)
	m := choiceFit{w: make([]float64, dense), none: theta[dense], indicators: theta[dense+1:]}
	for j := range dense {
		m.w[j] = theta[j] / sd[j]
		m.none += theta[j] * mean[j] / sd[j] // the candidates' centring, moved to "none"
	}
	return m
}
