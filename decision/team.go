package decision

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Deciding as a team: each member's complete answers go in, and the team's result comes out:
// every member's own result, the team's answers and its recommendation from them, and each
// disagreement with what each member's answer would make the team's outcome. Nothing here knows
// of HTTP or links; EncodeMember and DecodeMember only turn one member's answers into a short
// token and back.
//
// Each question is merged over the members who were asked it: a member whose path skipped it
// (an earlier answer made it irrelevant to them) does not count against the others. Where those
// asked agree, that is the team's answer; where they split, the answer a strict majority of them
// gave; with no strict majority, "Not sure". A question on the team's path that nobody was asked
// is "Not sure" too.

// Team limits.
const (
	MaxTeamMembers = 8
	MaxNameRunes   = 40
)

// codeDigits encode an option's index within its question; codeNone marks a question not asked.
const (
	codeDigits = "0123456789abcdefghijklmnopqrstuvwxyz"
	codeNone   = '-'
	// nameSep separates a member's answers from their name (neither alphabet contains it).
	nameSep = "."
)

// TeamMember is one member's complete answers and an optional name (plain text).
type TeamMember struct {
	Name    string
	Answers Answers
}

// ErrBadMember is wrapped by every error DecodeMember returns.
var ErrBadMember = errors.New("decision: malformed team member")

// EncodeMember writes a member as a token: one character per question in content order (the
// option's index, 0-9 then a-z, or '-' when the question is not asked), then, when the member has
// a name, '.' and the name's UTF-8 bytes in unpadded base64url. Every character is one a query
// string carries unescaped.
func (c *Content) EncodeMember(m TeamMember) string {
	var b strings.Builder
	b.Grow(len(c.Questions) + 1 + base64.RawURLEncoding.EncodedLen(len(m.Name)))
	for i := range c.Questions {
		if len(m.Answers) == 0 {
			// A place for someone who has not answered yet: no answer part at all.
			break
		}
		q := &c.Questions[i]
		idx := slices.IndexFunc(q.Options, func(o Option) bool { return o.ID == m.Answers[q.ID] })
		if idx < 0 || idx >= len(codeDigits) {
			b.WriteByte(codeNone)
			continue
		}
		b.WriteByte(codeDigits[idx])
	}
	if m.Name != "" {
		b.WriteString(nameSep)
		b.WriteString(base64.RawURLEncoding.EncodeToString([]byte(m.Name)))
	}
	return b.String()
}

// DecodeMember reads a token EncodeMember wrote. It is strict: the answers must be exactly the
// complete, canonical answers of one visitor (every question on their path answered, no other),
// and the name valid (see CleanName). An empty answer part (only allowed when allowEmpty is set)
// gives a member with no answers: a place for someone who has not answered yet.
func (c *Content) DecodeMember(tok string, allowEmpty bool) (TeamMember, error) {
	code, name64, hasName := strings.Cut(tok, nameSep)
	var m TeamMember
	if hasName {
		raw, err := base64.RawURLEncoding.Strict().DecodeString(name64)
		// The decoder skips line breaks: only the canonical encoding of a non-empty name counts.
		if err != nil || len(raw) == 0 || base64.RawURLEncoding.EncodeToString(raw) != name64 {
			return m, fmt.Errorf("%w: the name is not valid base64url", ErrBadMember)
		}
		name, err := CleanName(string(raw))
		if err != nil {
			return m, err
		}
		if name != string(raw) {
			return m, fmt.Errorf("%w: the name is not in canonical form", ErrBadMember)
		}
		m.Name = name
	}
	if code == "" && allowEmpty {
		return m, nil
	}
	if len(code) != len(c.Questions) {
		return m, fmt.Errorf("%w: the answers have %d characters; this version of the wizard has %d questions", ErrBadMember, len(code), len(c.Questions))
	}
	m.Answers = make(Answers, len(c.Questions))
	for i := range c.Questions {
		q := &c.Questions[i]
		ch := code[i]
		if ch == codeNone {
			continue
		}
		idx := strings.IndexByte(codeDigits, ch)
		if idx < 0 || idx >= len(q.Options) {
			return m, fmt.Errorf("%w: character %d is not an answer to question %q", ErrBadMember, i+1, q.ID)
		}
		m.Answers[q.ID] = q.Options[idx].ID
	}
	rp := c.Replay(m.Answers)
	if !rp.Complete() || len(rp.Dropped) > 0 {
		return m, fmt.Errorf("%w: the answers are not one complete set of answers", ErrBadMember)
	}
	return m, nil
}

// CleanName trims a name and checks it is plain text of at most MaxNameRunes characters: valid
// UTF-8 without control or format characters (so no line breaks and no bidirectional overrides).
// Inner runs of spaces become one space.
func CleanName(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: the name is not valid UTF-8", ErrBadMember)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", fmt.Errorf("%w: the name contains control characters", ErrBadMember)
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if n := utf8.RuneCountInString(s); n > MaxNameRunes {
		return "", fmt.Errorf("%w: the name has %d characters, more than %d", ErrBadMember, n, MaxNameRunes)
	}
	return s, nil
}

// MemberResult is one member's own result.
type MemberResult struct {
	Name    string
	Replay  Replay
	Result  *Result
	Answers Answers
}

// Position is one answer that some members gave to a question the team disagrees on.
type Position struct {
	Option *Option
	// Members are indexes into Team.Members, in order.
	Members []int
	// Answers are the team's answers were it to settle on this option (see Team.Answers), and
	// Result their result; Result is nil when no complete set follows from them.
	Answers Answers
	Result  *Result
}

// Disagreement is a question the members who were asked it answered differently. It is an open
// question for the team.
type Disagreement struct {
	Question  *Question
	Positions []Position
	// Majority is the index of the position a strict majority of the members asked took, which
	// is the team's answer; -1 when there is none (then the team's answer is "Not sure").
	Majority int
	// NotAsked are the members who were not asked the question (an earlier answer skipped it).
	NotAsked []int
	// Decides is set when settling it one way or another changes the team's outcome: the
	// positions lead to more than one outcome, or to another than the team's.
	Decides bool
}

// Outcomes are the distinct outcomes the positions lead to, in position order.
func (d *Disagreement) Outcomes() []*Outcome {
	var out []*Outcome
	for _, p := range d.Positions {
		if p.Result != nil && !slices.Contains(out, p.Result.Outcome) {
			out = append(out, p.Result.Outcome)
		}
	}
	return out
}

// Team is the team's decision.
type Team struct {
	Members []MemberResult
	// Shared are the answers to the questions every member asked answered alike.
	Shared Answers
	// Merged are Shared and, for each question the members asked split on, the answer a strict
	// majority of them gave.
	Merged Answers
	// Answers are the team's complete answers: Merged, with "Not sure" for each question on the
	// team's path without a merged answer (no strict majority, or nobody was asked it). Replay
	// and Result follow from them; Result is nil when such a question has no "Not sure" answer
	// (then it must be settled first).
	Answers Answers
	Replay  Replay
	Result  *Result
	// Blocking is the first question without a merged or "Not sure" answer, when Result is nil.
	Blocking *Question
	// Asked counts the questions at least one member was asked, Agreed those every member asked
	// answered alike, and Partial those not asked of every member.
	Asked, Agreed, Partial int
	// Disagreements come in question order within two groups: those that decide the outcome
	// first, then the others.
	Disagreements []Disagreement
	// Unasked are questions on the team's path that no member was asked (answers the majority
	// gave opened them): the team's answer to each is "Not sure".
	Unasked []*Question
	// Together is set when no disagreement decides alone but members' own outcomes differ from
	// the team's: for each such member, disagreements that decide together.
	Together []Combination
}

// ErrNoMembers is returned by DecideTeam for an empty team, ErrTooManyMembers for more than
// MaxTeamMembers; ErrIncomplete when a member's answers are not complete.
var (
	ErrNoMembers      = errors.New("decision: a team needs at least one member")
	ErrTooManyMembers = errors.New("decision: a team has at most " + strconv.Itoa(MaxTeamMembers) + " members")
)

// DecideTeam evaluates each member and the team.
func (c *Content) DecideTeam(members []TeamMember) (*Team, error) {
	switch {
	case len(members) == 0:
		return nil, ErrNoMembers
	case len(members) > MaxTeamMembers:
		return nil, ErrTooManyMembers
	}
	t := &Team{Shared: Answers{}}
	for _, m := range members {
		rp := c.Replay(m.Answers)
		res, err := c.Evaluate(&rp)
		if err != nil {
			return nil, err
		}
		t.Members = append(t.Members, MemberResult{Name: m.Name, Replay: rp, Result: res, Answers: rp.Answers})
	}
	// Each question merged over the members asked it; the disagreements with their positions.
	t.Merged = Answers{}
	for i := range c.Questions {
		q := &c.Questions[i]
		d := Disagreement{Question: q, Majority: -1}
		for mi, m := range t.Members {
			a, ok := m.Answers[q.ID]
			if !ok {
				d.NotAsked = append(d.NotAsked, mi)
				continue
			}
			pi := slices.IndexFunc(d.Positions, func(p Position) bool { return p.Option.ID == a })
			if pi < 0 {
				d.Positions = append(d.Positions, Position{Option: q.Option(a)})
				pi = len(d.Positions) - 1
			}
			d.Positions[pi].Members = append(d.Positions[pi].Members, mi)
		}
		if len(d.Positions) == 0 {
			continue // nobody was asked it
		}
		asked := len(t.Members) - len(d.NotAsked)
		t.Asked++
		if len(d.NotAsked) > 0 {
			t.Partial++
		}
		if len(d.Positions) == 1 {
			t.Agreed++
			t.Shared[q.ID] = d.Positions[0].Option.ID
			t.Merged[q.ID] = d.Positions[0].Option.ID
			continue
		}
		for pi, p := range d.Positions {
			if 2*len(p.Members) > asked {
				d.Majority = pi
				t.Merged[q.ID] = p.Option.ID
			}
		}
		t.Disagreements = append(t.Disagreements, d)
	}
	t.Answers, t.Replay, t.Result, t.Blocking = c.teamOutcome(t.Merged, nil, true)
	for _, q := range t.Replay.Path {
		asked := false
		for _, m := range t.Members {
			_, ok := m.Answers[q.ID]
			asked = asked || ok
		}
		if !asked {
			t.Unasked = append(t.Unasked, q)
		}
	}
	for di := range t.Disagreements {
		d := &t.Disagreements[di]
		for pi := range d.Positions {
			p := &d.Positions[pi]
			p.Answers, _, p.Result, _ = c.teamOutcome(t.Merged, [][2]string{{d.Question.ID, p.Option.ID}}, false)
		}
		outs := d.Outcomes()
		d.Decides = len(outs) > 1 || (len(outs) == 1 && (t.Result == nil || outs[0] != t.Result.Outcome))
	}
	slices.SortStableFunc(t.Disagreements, func(a, b Disagreement) int {
		switch {
		case a.Decides == b.Decides:
			return 0
		case a.Decides:
			return -1
		}
		return 1
	})
	if t.Result != nil && len(t.Deciding()) == 0 {
		t.Together = c.together(t)
	}
	return t, nil
}

// teamOutcome completes merged answers (with the answers in set laid over them) the team's way:
// each question on the path without an answer is answered "Not sure". When such a question has
// no "Not sure" answer, there is no team result, and blocking names the question. With full
// unset, the result has no confidence (only its outcome and needs count), which is much cheaper.
func (c *Content) teamOutcome(merged Answers, set [][2]string, full bool) (answers Answers, rp Replay, res *Result, blocking *Question) {
	raw := make(Answers, len(c.Questions))
	for k, v := range merged {
		raw[k] = v
	}
	for _, kv := range set {
		raw[kv[0]] = kv[1]
	}
	for {
		rp = c.Replay(raw)
		if rp.Complete() {
			break
		}
		unsure := rp.Next.UnsureOption()
		if unsure == nil || raw[rp.Next.ID] == unsure.ID {
			return rp.Answers, rp, nil, rp.Next
		}
		raw[rp.Next.ID] = unsure.ID
	}
	var res2 *Result
	var err error
	if full {
		res2, err = c.Evaluate(&rp)
	} else {
		res2, err = c.evaluate(&rp)
	}
	if err != nil {
		return rp.Answers, rp, nil, nil
	}
	return rp.Answers, rp, res2, nil
}

// Combination is a few disagreements that change the team's outcome when settled together the
// way one member answered them, though none does alone.
type Combination struct {
	Member    int
	Questions []*Question
	// Answers and Result are the team's, were it to take the member's answers to Questions.
	Answers Answers
	Result  *Result
}

// together finds, for each member whose own outcome is not the team's, the first pair of their
// answers that differ from the team's merged ones (in question order) that together change the team's outcome; failing
// that, all their disagreeing answers together.
func (c *Content) together(t *Team) []Combination {
	var out []Combination
	for mi, m := range t.Members {
		if m.Result.Outcome == t.Result.Outcome {
			continue
		}
		var qs []*Question
		for _, d := range t.Disagreements {
			// Where the member is in the majority, the team already has their answer.
			if a, ok := m.Answers[d.Question.ID]; ok && a != t.Merged[d.Question.ID] {
				qs = append(qs, d.Question)
			}
		}
		slices.SortFunc(qs, func(a, b *Question) int { return a.Position - b.Position })
		found := false
		for i := 0; i < len(qs) && !found; i++ {
			for j := i + 1; j < len(qs) && !found; j++ {
				set := [][2]string{{qs[i].ID, m.Answers[qs[i].ID]}, {qs[j].ID, m.Answers[qs[j].ID]}}
				answers, _, res, _ := c.teamOutcome(t.Merged, set, false)
				if res != nil && res.Outcome != t.Result.Outcome {
					out = append(out, Combination{Member: mi, Questions: []*Question{qs[i], qs[j]}, Answers: answers, Result: res})
					found = true
				}
			}
		}
		if !found && len(qs) > 0 {
			var set [][2]string
			for _, q := range qs {
				set = append(set, [2]string{q.ID, m.Answers[q.ID]})
			}
			answers, _, res, _ := c.teamOutcome(t.Merged, set, false)
			if res != nil && res.Outcome != t.Result.Outcome {
				out = append(out, Combination{Member: mi, Questions: qs, Answers: answers, Result: res})
			}
		}
	}
	return out
}

// Deciding returns the disagreements that change the team's outcome.
func (t *Team) Deciding() []Disagreement {
	var out []Disagreement
	for _, d := range t.Disagreements {
		if d.Decides {
			out = append(out, d)
		}
	}
	return out
}

// MemberName is a member's name, or "Member n" (from 1) without one.
func (t *Team) MemberName(i int) string {
	if n := t.Members[i].Name; n != "" {
		return n
	}
	return "Member " + strconv.Itoa(i+1)
}

// Summary says in plain words how far the team agrees and what to settle first, e.g. "You agree
// on 7 of 10 questions. Settle “How complex is the business logic?” first: it decides between
// Next.js and Both."
func (t *Team) Summary() string { return t.SummaryNamed(t.MemberName) }

// SummaryNamed is Summary with each member's name written by name (a decision record escapes
// them, say).
func (t *Team) SummaryNamed(name func(i int) string) string {
	if len(t.Members) == 1 {
		return "1 member so far: the team's recommendation is " + name(0) + "'s own. Send the team link to your colleagues so each can add their answers."
	}
	var b strings.Builder
	// A question counts among the members who were asked it: the words say so when that is not
	// everyone, so the count stays true.
	among := "."
	if t.Partial > 0 {
		among = ", counting each among the members who were asked it."
	}
	if t.Agreed == t.Asked {
		fmt.Fprintf(&b, "You agree on all %d questions%s", t.Asked, among)
	} else {
		fmt.Fprintf(&b, "You agree on %d of %d questions%s", t.Agreed, t.Asked, among)
	}
	deciding := t.Deciding()
	switch {
	case len(deciding) > 0:
		d := deciding[0]
		names := make([]string, 0, 3)
		for _, o := range d.Outcomes() {
			names = append(names, o.Name)
		}
		fmt.Fprintf(&b, " Settle “%s” first: ", d.Question.Text)
		switch len(names) {
		case 0:
			b.WriteString("the team has no recommendation until you do.")
		case 1:
			fmt.Fprintf(&b, "any of your answers to it makes the team's outcome %s.", names[0])
		default:
			fmt.Fprintf(&b, "it decides between %s.", joinAnd(names))
		}
	case len(t.Together) > 0:
		cb := t.Together[0]
		texts := make([]string, len(cb.Questions))
		for i, q := range cb.Questions {
			texts[i] = "“" + q.Text + "”"
		}
		fmt.Fprintf(&b, " No single disagreement changes the team's recommendation (%s), but together they do: settle %s together. With %s's answers to them, it is %s.",
			t.Result.Outcome.Name, joinAnd(texts), name(cb.Member), cb.Result.Outcome.Name)
	case len(t.Disagreements) > 0 && t.Result != nil:
		fmt.Fprintf(&b, " No disagreement changes the recommendation on its own, and each of you gets %s from your own answers.", t.Result.Outcome.Name)
	}
	return b.String()
}

func joinAnd(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// TeamQuote frames a team's choice in the article's words (its section id is TeamQuoteSection).
// It lives here rather than in the content file so team links add nothing to content versions;
// a test checks it word for word against the article.
const (
	TeamQuote        = "it’s not about which one is better—it’s about what your project actually needs."
	TeamQuoteSection = "choosing"
)
