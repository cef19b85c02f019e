package handlers

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"nestnext/decision"
)

// apiSets are persona-like complete answer sets: every outcome, the tie-break, and many
// "Not sure" answers (which produce open questions). The property tests run over all of them.
var apiSets = []struct {
	name    string
	answers decision.Answers
	want    string
}{
	{"SEO-critical site", decision.Answers{"build": "site", "logic": "simple", "seo": "critical", "render": "fast", "api": "own", "realtime": "no", "team": "react", "share": "no", "quality": "no"}, decision.NextJS},
	{"real-time API backend", decision.Answers{"build": "api", "logic": "complex", "growth": "monolith", "realtime": "essential", "team": "fullstack", "quality": "essential"}, decision.NestJS},
	{"e-commerce platform", decision.Answers{"build": "platform", "logic": "complex", "growth": "monolith", "seo": "critical", "render": "mixed", "api": "public", "realtime": "some", "team": "fullstack", "share": "yes", "quality": "helpful"}, decision.Both},
	{"Spring team moving to microservices", decision.Answers{"build": "api", "logic": "complex", "growth": "services", "realtime": "no", "team": "java", "quality": "essential"}, decision.NestJS},
	{"marketing site", decision.Answers{"build": "site", "logic": "simple", "seo": "helpful", "render": "fast", "api": "none", "realtime": "no", "team": "react", "share": "no", "quality": "no"}, decision.NextJS},
	{"live dashboard with a partner API", decision.Answers{"build": "platform", "logic": "moderate", "growth": "services", "seo": "helpful", "render": "mixed", "api": "public", "realtime": "essential", "team": "fullstack", "share": "yes", "quality": "essential"}, decision.Both},
	{"content site from a CMS, many unsure", decision.Answers{"build": "site", "logic": "notsure", "growth": "small", "seo": "critical", "render": "mixed", "api": "none", "realtime": "no", "team": "notsure", "share": "notsure", "quality": "notsure"}, decision.NextJS},
	{"dashboard behind a sign-in", decision.Answers{"build": "app", "logic": "moderate", "growth": "monolith", "seo": "none", "render": "client", "api": "graphql", "realtime": "some", "team": "ddd", "share": "no", "quality": "no"}, decision.Both},
	{"platform, unsure of everything", decision.Answers{"build": "platform", "logic": "notsure", "growth": "notsure", "seo": "notsure", "render": "notsure", "api": "notsure", "realtime": "notsure", "team": "notsure", "share": "notsure", "quality": "notsure"}, decision.NextJS},
	{"backend, unsure of everything", decision.Answers{"build": "api", "logic": "notsure", "growth": "notsure", "realtime": "notsure", "team": "notsure", "quality": "notsure"}, decision.NestJS},
	{"not sure of anything", decision.Answers{"build": "notsure", "logic": "notsure", "growth": "notsure", "seo": "notsure", "render": "notsure", "api": "notsure", "realtime": "notsure", "team": "notsure", "share": "notsure", "quality": "notsure"}, decision.NotSure},
}

func decodeJSON[T any](t *testing.T, rec response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body is not JSON: %v; body: %.300s", err, rec.Body.String())
	}
	return v
}

// --- the OpenAPI document and the contract ---

type contract struct {
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
}

var (
	contractOnce sync.Once
	contractVal  *contract
	contractErr  error
)

// loadContract loads handlers/openapi.json with kin-openapi, once per test binary.
//
// Two things are added for the tests only. Object schemas are closed (no properties beyond those
// listed): the published document leaves them open so that adding a field later is not a breaking
// change, but here every field the API sends must be documented. And format "uri" is checked
// (kin-openapi does not check it by default), so URLs in bodies must be absolute.
//
// How kin-openapi v0.153.0 validates 3.1: openapi3filter turns on openapi3.EnableJSONSchema2020()
// for 3.1 documents, and VisitJSON then compiles the schema with santhosh-tekuri/jsonschema
// (draft 2020-12). But a schema that uses $ref to #/components/schemas and no 2020-only keyword
// (const, unevaluatedProperties, if/then, prefixItems, $defs, ...) silently falls back to
// kin's own OpenAPI 3.0 validator, and so does a schema the compiler rejects. Closing objects
// with unevaluatedProperties (a 2020-only keyword, which the 3.0 validator ignores) makes every
// body take the 2020-12 path; TestAPIContractRejectsWrongBodies fails if one ever falls back.
func loadContract(t testing.TB) *contract {
	t.Helper()
	contractOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(openAPIDocument)
		if err != nil {
			contractErr = fmt.Errorf("load: %w", err)
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			contractErr = fmt.Errorf("validate: %w", err)
			return
		}
		closeSchemas(doc)
		doc.SetStringFormatValidator("uri", openapi3.NewCallbackValidator(func(s string) error {
			if u, err := url.Parse(s); err != nil || !u.IsAbs() {
				return fmt.Errorf("not an absolute URI")
			}
			return nil
		}))
		router, err := legacy.NewRouter(doc)
		if err != nil {
			contractErr = fmt.Errorf("router: %w", err)
			return
		}
		contractVal = &contract{doc: doc, router: router, opts: &openapi3filter.Options{
			IncludeResponseStatus:   true, // a status the document does not list is a failure
			MultiError:              true,
			SchemaValidationOptions: doc.GetSchemaValidationOptions(),
		}}
	})
	if contractErr != nil {
		t.Fatalf("openapi.json: %v", contractErr)
	}
	return contractVal
}

// closeSchemas sets unevaluatedProperties: false on every component schema that lists
// properties and says nothing about others.
func closeSchemas(doc *openapi3.T) {
	closed := false
	seen := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		sc := ref.Value
		seen[sc] = true
		if len(sc.Properties) > 0 && sc.AdditionalProperties.Has == nil && sc.AdditionalProperties.Schema == nil {
			sc.UnevaluatedProperties = openapi3.BoolSchema{Has: &closed}
		}
		for _, p := range sc.Properties {
			walk(p)
		}
		walk(sc.Items)
		for _, refs := range []openapi3.SchemaRefs{sc.OneOf, sc.AnyOf, sc.AllOf} {
			for _, r := range refs {
				walk(r)
			}
		}
	}
	for _, ref := range doc.Components.Schemas {
		walk(ref)
	}
}

// check validates a real exchange against the document: the request (when validRequest is set:
// deliberately bad requests are still sent, and only their responses must match) and the
// response's status, headers and body.
func (c *contract) check(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder, validRequest bool) {
	t.Helper()
	if err := c.validate(req, rec, validRequest); err != nil {
		t.Errorf("%s %s: %v\nbody: %.500s", req.Method, req.URL, err, rec.Body.String())
	}
}

func (c *contract) validate(req *http.Request, rec *httptest.ResponseRecorder, validRequest bool) error {
	ctx := context.Background()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("no operation in openapi.json: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: c.opts}
	if validRequest {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			return fmt.Errorf("request does not match openapi.json: %w", err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(), Options: c.opts}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("response does not match openapi.json: %w", err)
	}
	return nil
}

// checkSchema validates a body against a component schema, for the responses no operation
// describes (404 and 405 come from paths and methods the API does not have).
func (c *contract) checkSchema(t *testing.T, name string, body []byte) {
	t.Helper()
	if err := c.visit(name, body); err != nil {
		t.Errorf("body does not match %s: %v\nbody: %.500s", name, err, body)
	}
}

func (c *contract) visit(name string, body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	opts := append(c.doc.GetSchemaValidationOptions(), openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse())
	return c.doc.Components.Schemas[name].Value.VisitJSON(v, opts...)
}

func TestOpenAPIDocumentIs31AndValid(t *testing.T) {
	c := loadContract(t)
	if !c.doc.IsOpenAPI31OrLater() || !strings.HasPrefix(c.doc.OpenAPI, "3.1.") {
		t.Errorf("openapi %q, want 3.1.x", c.doc.OpenAPI)
	}
	for _, path := range []string{"/decision", "/result", "/openapi.json"} {
		pi := c.doc.Paths.Value(path)
		if pi == nil || pi.Get == nil || pi.Options == nil {
			t.Errorf("%s: GET and OPTIONS must be documented", path)
		}
	}
	_, h := newTestServer(t)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), openAPIDocument) {
		t.Fatalf("GET /api/v1/openapi.json: %d, body differs from the embedded document", rec.Code)
	}
	c.check(t, req, rec, true)
}

// The answer parameters are listed by question id, so integrators see every question and its
// options; this keeps that list true to the content.
func TestOpenAPIParametersMatchContent(t *testing.T) {
	c := loadContract(t)
	s, _ := newTestServer(t)
	content := s.content

	var names []string
	params := map[string]*openapi3.Parameter{}
	for _, ref := range c.doc.Paths.Value("/result").Get.Parameters {
		if p := ref.Value; p.In == openapi3.ParameterInQuery {
			names = append(names, p.Name)
			params[p.Name] = p
		}
	}
	var want []string
	for _, q := range content.Questions {
		want = append(want, q.ID)
	}
	want = append(want, decision.VersionParam)
	if !slices.Equal(names, want) {
		t.Fatalf("query parameters %v, want the question ids in content order, then v: %v", names, want)
	}

	for _, q := range content.Questions {
		p := params[q.ID]
		if p.Required {
			t.Errorf("%s: answer parameters are optional (show_if may skip the question)", q.ID)
		}
		var options []string
		for _, o := range q.Options {
			options = append(options, o.ID)
		}
		var enum []string
		for _, v := range p.Schema.Value.Enum {
			enum = append(enum, fmt.Sprint(v))
		}
		if !slices.Equal(enum, options) {
			t.Errorf("%s: enum %v, want the option ids %v", q.ID, enum, options)
		}
		// x-show-if must say what the API's /decision says, in the same form.
		if got, want := asJSON(p.Extensions["x-show-if"]), asJSON(s.apiShowIf(q.ShowIf)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: x-show-if %v, want %v", q.ID, got, want)
		}
	}

	var outcomes []string
	for _, o := range content.Outcomes {
		outcomes = append(outcomes, o.ID)
	}
	var enum []string
	for _, v := range c.doc.Components.Schemas["OutcomeId"].Value.Enum {
		enum = append(enum, fmt.Sprint(v))
	}
	if !slices.Equal(enum, outcomes) {
		t.Errorf("OutcomeId enum %v, want %v", enum, outcomes)
	}
}

// --- real responses against the contract ---

func TestAPIContract(t *testing.T) {
	c := loadContract(t)
	s, h := newTestServer(t)
	enc := func(a decision.Answers) string { return s.content.Encode(a) }
	tests := []struct {
		name         string
		target       string
		status       int
		validRequest bool
	}{
		{"decision", "/api/v1/decision", http.StatusOK, true},
		{"result nextjs", "/api/v1/result?" + enc(apiSets[0].answers), http.StatusOK, true},
		{"result nestjs", "/api/v1/result?" + enc(apiSets[1].answers), http.StatusOK, true},
		{"result both", "/api/v1/result?" + enc(apiSets[2].answers), http.StatusOK, true},
		{"result with unsure answers", "/api/v1/result?" + enc(apiSets[6].answers), http.StatusOK, true},
		{"result by tie-break", "/api/v1/result?" + enc(apiSets[7].answers), http.StatusOK, true},
		{"result with an ignored answer", "/api/v1/result?" + enc(apiSets[1].answers.With("seo", "critical")), http.StatusOK, true},
		{"result without v", "/api/v1/result?" + strings.TrimSuffix(enc(apiSets[2].answers), "&v=3"), http.StatusOK, true},
		{"no answers", "/api/v1/result", http.StatusUnprocessableEntity, true},
		{"incomplete", "/api/v1/result?build=site&seo=critical&v=3", http.StatusUnprocessableEntity, true},
		{"invalid value", "/api/v1/result?build=site&logic=huge&v=3", http.StatusUnprocessableEntity, false},
		{"invalid value on a complete path", "/api/v1/result?" + enc(apiSets[0].answers.With("team", "moon")), http.StatusUnprocessableEntity, false},
		{"malformed query", "/api/v1/result?build=%zz&v=3", http.StatusBadRequest, false},
		{"openapi", "/api/v1/openapi.json", http.StatusOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body: %.300s", rec.Code, tt.status, rec.Body.String())
			}
			c.check(t, req, rec, tt.validRequest)
		})
	}
}

func TestAPIResult(t *testing.T) {
	s, h := newTestServer(t)
	for _, set := range apiSets {
		t.Run(set.name, func(t *testing.T) {
			query := s.content.Encode(set.answers)
			rec := get(t, h, "/api/v1/result?"+query)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d; body: %.300s", rec.Code, rec.Body.String())
			}
			res := decodeJSON[apiResult](t, rec)
			if res.Recommendation != set.want {
				t.Errorf("recommendation %s, want %s", res.Recommendation, set.want)
			}
			if want := "http://example.com/result?" + query; res.ShareURL != want {
				t.Errorf("share_url %q, want %q", res.ShareURL, want)
			}
			if len(res.Reasons) != len(set.answers) {
				t.Errorf("%d reasons, want one per answer (%d)", len(res.Reasons), len(set.answers))
			}
			unsure := 0
			for _, a := range set.answers {
				if a == "notsure" {
					unsure++
				}
			}
			if len(res.OpenQuestions) != unsure {
				t.Errorf("%d open questions, want one per unsure answer (%d)", len(res.OpenQuestions), unsure)
			}
			if len(res.Needs) != len(s.content.Needs) {
				t.Errorf("%d needs, want %d", len(res.Needs), len(s.content.Needs))
			}
			for _, n := range res.Needs {
				if n.Met != (n.State == decision.StateMet) || (n.State != decision.StateOpen && n.Met != (n.Value >= n.Threshold)) {
					t.Errorf("need %+v", n)
				}
			}
			undecided := res.Recommendation == decision.NotSure
			if lvl := res.Confidence.Level; (lvl == decision.CloseCall || lvl == decision.Undecided) != (len(res.Confidence.Deciding) > 0) || undecided != (lvl == decision.Undecided) {
				t.Errorf("confidence %s with %d deciding changes", lvl, len(res.Confidence.Deciding))
			}
			for _, d := range res.Confidence.Deciding {
				// Only an undecided result counts changes of what the project is among them.
				if !d.ChangesRecommendation || (d.Question == "build" && !undecided) {
					t.Errorf("deciding change %+v", d)
				}
			}
			for _, sc := range res.ScopeChanges {
				if !s.content.Question(sc.Question).IsScope(s.content.Question(sc.Question).Option(sc.Answer)) || !sc.ChangesRecommendation {
					t.Errorf("scope change %+v", sc)
				}
			}
		})
	}

	// Unknown parameters and order do not matter: the body, and so the ETag, is the same.
	q, _ := url.ParseQuery(s.content.Encode(apiSets[2].answers))
	q.Set("utm_source", "newsletter")
	a, b := get(t, h, "/api/v1/result?"+s.content.Encode(apiSets[2].answers)), get(t, h, "/api/v1/result?"+q.Encode())
	if !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
		t.Error("reordered query with tracking junk gives a different body")
	}
}

func TestAPIDecision(t *testing.T) {
	s, h := newTestServer(t)
	rec := get(t, h, "/api/v1/decision")
	d := decodeJSON[apiDecision](t, rec)
	if d.Version != s.content.Version || len(d.Questions) != len(s.content.Questions) || len(d.Table) != len(s.content.Table) {
		t.Fatalf("decision does not reflect the content: version %d, %d questions, %d rows", d.Version, len(d.Questions), len(d.Table))
	}
	raw := decodeJSON[map[string]any](t, rec)
	seo := raw["questions"].([]any)[3].(map[string]any)
	want := map[string]any{"all": []any{map[string]any{"question": "build", "in": []any{"site", "app", "platform", "notsure"}}}}
	if seo["id"] != "seo" || !reflect.DeepEqual(seo["show_if"], want) {
		t.Errorf("seo show_if = %v, want %v", seo["show_if"], want)
	}
	if build := raw["questions"].([]any)[0].(map[string]any); build["show_if"] != nil {
		t.Errorf("build show_if = %v, want null", build["show_if"])
	}
	if len(d.Needs) != len(s.content.Needs) || d.Needs[0].Threshold != s.content.Needs[0].Threshold || len(d.Confidence.Levels) != 4 {
		t.Errorf("needs %+v, confidence %+v", d.Needs, d.Confidence)
	}
	if len(d.Examples) != len(s.content.Examples) {
		t.Errorf("%d examples, want %d", len(d.Examples), len(s.content.Examples))
	}
}

func TestAPIIncomplete(t *testing.T) {
	_, h := newTestServer(t)
	tests := []struct {
		target  string
		next    string
		invalid []string
	}{
		{"/api/v1/result", "build", []string{}},
		{"/api/v1/result?build=site&seo=critical&v=3", "logic", []string{}},
		{"/api/v1/result?build=site&logic=huge&seo=%3Cscript%3E&v=3", "logic", []string{"logic", "seo"}},
		{"/api/v1/result?build=bogus&logic=simple&v=3", "build", []string{"build"}},
	}
	for _, tt := range tests {
		rec := get(t, h, tt.target)
		if rec.Code != http.StatusUnprocessableEntity || rec.Header().Get("Content-Type") != mediaProblem {
			t.Fatalf("%s: %d %s, want 422 %s", tt.target, rec.Code, rec.Header().Get("Content-Type"), mediaProblem)
		}
		p := decodeJSON[incompleteProblem](t, rec)
		if p.NextQuestion.ID != tt.next || len(p.NextQuestion.Options) == 0 || p.NextQuestion.Text == "" {
			t.Errorf("%s: next_question %s (%d options), want %s", tt.target, p.NextQuestion.ID, len(p.NextQuestion.Options), tt.next)
		}
		if !slices.Equal(p.Invalid, tt.invalid) {
			t.Errorf("%s: invalid %v, want %v", tt.target, p.Invalid, tt.invalid)
		}
		if p.Status != 422 || p.Instance != "/api/v1/result" || !strings.HasSuffix(p.Type, "/api/v1/openapi.json#/components/schemas/IncompleteAnswersProblem") {
			t.Errorf("%s: problem %+v", tt.target, p.problem)
		}
	}
}

func TestAPIErrorsAreProblems(t *testing.T) {
	c := loadContract(t)
	_, h := newTestServer(t)
	tests := []struct {
		method, target string
		status         int
	}{
		{http.MethodGet, "/api/v1/nope", http.StatusNotFound},
		{http.MethodGet, "/api/v1", http.StatusNotFound},
		{http.MethodGet, "/api/v1/", http.StatusNotFound},
		{http.MethodGet, "/api/v1/result/extra", http.StatusNotFound},
		{http.MethodPost, "/api/v1/nope", http.StatusNotFound},
		{http.MethodPost, "/api/v1/result", http.StatusMethodNotAllowed},
		{http.MethodPut, "/api/v1/decision", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/api/v1/openapi.json", http.StatusMethodNotAllowed},
		{http.MethodPatch, "/api/v1/result?" + fullPlatform, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		rec := do(t, h, tt.method, tt.target)
		if rec.Code != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.target, rec.Code, tt.status)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); ct != mediaProblem {
			t.Errorf("%s %s: Content-Type %q", tt.method, tt.target, ct)
		}
		c.checkSchema(t, "Problem", rec.Body.Bytes())
		p := decodeJSON[problem](t, rec)
		if p.Status != tt.status || p.Type != "about:blank" || p.Title != http.StatusText(tt.status) {
			t.Errorf("%s %s: problem %+v", tt.method, tt.target, p)
		}
		if tt.status == http.StatusMethodNotAllowed {
			if allow := rec.Header().Get("Allow"); allow != "GET, HEAD, OPTIONS" {
				t.Errorf("%s %s: Allow %q", tt.method, tt.target, allow)
			}
		}
		if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s %s: errors must be readable cross-origin too", tt.method, tt.target)
		}
	}
}

// The validations above mean something only if a wrong body fails them. Each mutation breaks
// one thing the document promises, using the JSON Schema features the document relies on
// (type arrays with "null", enums, const, closed objects, absolute URIs).
func TestAPIContractRejectsWrongBodies(t *testing.T) {
	c := loadContract(t)
	s, h := newTestServer(t)
	target := "/api/v1/result?" + s.content.Encode(apiSets[6].answers)
	mutations := []struct {
		name   string
		target string
		mutate func(m map[string]any)
	}{
		{"missing field", target, func(m map[string]any) { delete(m, "share_url") }},
		{"undocumented field", target, func(m map[string]any) { m["extra"] = true }},
		{"unknown outcome", target, func(m map[string]any) { m["recommendation"] = "remix" }},
		{"relative URL", target, func(m map[string]any) { m["share_url"] = "/result?v=3" }},
		{"null where a string is required", target, func(m map[string]any) { m["headline"] = nil }},
		{"number in a nullable string", target, func(m map[string]any) { reason(m)["quote"] = 7 }},
		{"value outside an enum", target, func(m map[string]any) { m["confidence"].(map[string]any)["level"] = "sure" }},
		{"unknown stance", target, func(m map[string]any) { reason(m)["stance"] = "maybe" }},
		{"undocumented nested field", target, func(m map[string]any) { reason(m)["extra"] = 1 }},
		{"need state unknown", target, func(m map[string]any) { m["needs"].([]any)[0].(map[string]any)["state"] = "maybe" }},
		{"evidence not a whole number", target, func(m map[string]any) { reason(m)["needs"].(map[string]any)["backend"] = 1.5 }},
		{"wrong 422 status member", "/api/v1/result", func(m map[string]any) { m["status"] = 400 }},
		{"422 without next_question", "/api/v1/result", func(m map[string]any) { delete(m, "next_question") }},
		{"422 with a foreign type", "/api/v1/result", func(m map[string]any) { m["type"] = "about:blank" }},
	}
	for _, mt := range mutations {
		t.Run(mt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, mt.target, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if err := c.validate(req, rec, true); err != nil {
				t.Fatalf("the unmutated response should pass: %v", err)
			}
			m := decodeJSON[map[string]any](t, response{ResponseRecorder: rec})
			mt.mutate(m)
			body, _ := json.Marshal(m)
			rec.Body = bytes.NewBuffer(body)
			if err := c.validate(req, rec, true); err == nil {
				t.Error("the contract accepted a wrong body")
			}
		})
	}
}

// asJSON is v as encoding/json sees it, for comparing values of different Go types.
func asJSON(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out)
	return out
}

func reason(m map[string]any) map[string]any {
	return m["reasons"].([]any)[0].(map[string]any)
}

// --- caching ---

func TestAPIConditionalRequests(t *testing.T) {
	c := loadContract(t)
	s, h := newTestServer(t)
	for _, target := range []string{"/api/v1/decision", "/api/v1/openapi.json", "/api/v1/result?" + s.content.Encode(apiSets[2].answers)} {
		first := get(t, h, target)
		etag := first.Header().Get("ETag")
		if !strings.HasPrefix(etag, `"`) || first.Header().Get("Cache-Control") != apiCacheControl {
			t.Fatalf("%s: ETag %q, Cache-Control %q", target, etag, first.Header().Get("Cache-Control"))
		}
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("If-None-Match", inm)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
				t.Errorf("%s If-None-Match %s: %d with %d bytes, want 304 with none", target, inm, rec.Code, rec.Body.Len())
			}
			if rec.Header().Get("ETag") != etag || rec.Header().Get("Cache-Control") != apiCacheControl {
				t.Errorf("%s: 304 must repeat ETag and Cache-Control", target)
			}
			c.check(t, req, rec, true)
		}
		if rec := get(t, h, target, "If-None-Match", `"stale"`); rec.Code != http.StatusOK {
			t.Errorf("%s with a stale tag: %d, want 200", target, rec.Code)
		}
		head := do(t, h, http.MethodHead, target)
		if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("ETag") != etag ||
			head.Header().Get("Content-Length") != fmt.Sprint(first.Body.Len()) {
			t.Errorf("HEAD %s: %d, %d bytes, ETag %q, Content-Length %q", target, head.Code, head.Body.Len(), head.Header().Get("ETag"), head.Header().Get("Content-Length"))
		}
	}
}

func TestAPIETags(t *testing.T) {
	s, h := newTestServer(t)
	seen := map[string]string{}
	for _, set := range apiSets {
		target := "/api/v1/result?" + s.content.Encode(set.answers)
		a, b := get(t, h, target), get(t, h, target)
		etag := a.Header().Get("ETag")
		if etag == "" || etag != b.Header().Get("ETag") || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
			t.Errorf("%s: identical requests differ (ETags %q, %q)", set.name, etag, b.Header().Get("ETag"))
		}
		if other, dup := seen[etag]; dup {
			t.Errorf("%s and %s share ETag %s", set.name, other, etag)
		}
		seen[etag] = set.name
	}
	// The body depends on PUBLIC_URL, never on the Host header: another host gets the same bytes.
	req := httptest.NewRequest(http.MethodGet, "/api/v1/result?"+fullPlatform, nil)
	req.Host = "other.example"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("ETag") != get(t, h, "/api/v1/result?"+fullPlatform).Header().Get("ETag") {
		t.Error("the Host header changed the body")
	}
}

// --- CORS ---

func TestAPICORS(t *testing.T) {
	c := loadContract(t)
	s, h := newTestServer(t)
	for _, target := range []string{"/api/v1/decision", "/api/v1/result?" + s.content.Encode(apiSets[0].answers), "/api/v1/result?build=site", "/api/v1/openapi.json", "/api/v1/nope"} {
		rec := get(t, h, target, "Origin", "https://elsewhere.example")
		hd := rec.Header()
		if hd.Get("Access-Control-Allow-Origin") != "*" || hd.Get("Access-Control-Expose-Headers") != "ETag" {
			t.Errorf("GET %s: Allow-Origin %q, Expose-Headers %q", target, hd.Get("Access-Control-Allow-Origin"), hd.Get("Access-Control-Expose-Headers"))
		}
		if hd.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("GET %s: credentials must not be allowed", target)
		}
	}
	for _, target := range []string{"/api/v1/decision", "/api/v1/result?build=site", "/api/v1/openapi.json"} {
		req := httptest.NewRequest(http.MethodOptions, target, nil)
		req.Header.Set("Origin", "https://elsewhere.example")
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "if-none-match")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		hd := rec.Header()
		if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
			t.Errorf("OPTIONS %s: %d, want 204 with no body", target, rec.Code)
		}
		for name, want := range map[string]string{
			"Access-Control-Allow-Origin":  "*",
			"Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
			"Access-Control-Allow-Headers": "If-None-Match, Content-Type",
			"Access-Control-Max-Age":       "86400",
		} {
			if got := hd.Get(name); got != want {
				t.Errorf("OPTIONS %s: %s %q, want %q", target, name, got, want)
			}
		}
		c.check(t, req, rec, true)
	}
}

// --- hostile input ---

func TestAPIHostileInput(t *testing.T) {
	c := loadContract(t)
	s, h := newTestServer(t)
	full := s.content.Encode(apiSets[2].answers)
	payloads := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `{{.}}`, "\x00", "\xff\xfe", "é\u2028\u2029", strings.Repeat("a", 100_000)}
	// Payloads that would matter if they came back verbatim (the path of a 404 comes back in its
	// instance member, percent-encoded, so a harmless one like "aaa" may appear as it is).
	markup := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `{{.}}`}
	var targets []string
	for _, p := range payloads {
		esc := url.QueryEscape(p)
		targets = append(targets,
			"/api/v1/result?seo="+esc+"&"+full,
			"/api/v1/result?build="+esc,
			"/api/v1/result?"+esc+"="+esc,
			"/api/v1/result?"+full+"&v="+esc,
			"/api/v1/decision?build="+esc,
			"/api/v1/"+url.PathEscape(p),
			"/api/v1/result/"+url.PathEscape(p),
		)
	}
	targets = append(targets,
		"/api/v1/result?build=%zz&v=3",                  // invalid percent-encoding
		"/api/v1/result?build=%",                        // truncated escape
		"/api/v1/result?build=site;logic=simple",        // semicolon separator
		"/api/v1/result?build=%ff%fe&logic=%c0%af",      // valid escapes, invalid UTF-8
		"/api/v1/result?build=site&build=api&build=%3C", // repeated: the first counts
		"/api/v1/result?"+full+"&build=api",             // repeated after a full set
		"/api/v1/result?"+strings.Repeat("build=api&", 10_000)+"v=3",
		"/api/v1/result?"+strings.ReplaceAll(full, "v=3", "v=999"), // unknown version
		"/api/v1/result?"+strings.ReplaceAll(full, "v=3", "v=-1"),
		"/api/v1/result?"+strings.ReplaceAll(full, "v=3", "v=99999999999999999999999"),
		"/api/v1/result?"+strings.ReplaceAll(full, "v=3", "v=1&v=3"),
		"/api/v1/result?=&&&=x",
	)
	for _, target := range targets {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		short := target[:min(len(target), 90)]
		if rec.Code >= 500 {
			t.Errorf("%s: status %d", short, rec.Code)
			continue
		}
		// JSON escaping is enough only if nothing renders the body as a page: the type must be
		// JSON and sniffing off.
		if ct := rec.Header().Get("Content-Type"); ct != mediaJSON && ct != mediaProblem {
			t.Errorf("%s: Content-Type %q", short, ct)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Content-Security-Policy") != "default-src 'none'; frame-ancestors 'none'" {
			t.Errorf("%s: no nosniff or no CSP", short)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Errorf("%s: body is not JSON", short)
		}
		for _, p := range markup {
			if strings.Contains(rec.Body.String(), p) {
				t.Errorf("%s: payload %.20q reflected unescaped", short, p)
			}
		}
		// A 414 (from the site's query limit, before the API) is a problem the document need not list.
		if _, _, err := c.router.FindRoute(req); err == nil && rec.Code != http.StatusRequestURITooLong {
			c.check(t, req, rec, false)
		} else {
			c.checkSchema(t, "Problem", rec.Body.Bytes())
		}
	}
}

// --- what-ifs hold ---

// Every URL a result offers, fetched from the API, gives the recommendation it promises; and the
// share URL gives the result itself back.
func TestAPIAlternativesHold(t *testing.T) {
	s, h := newTestServer(t)
	fetch := func(t *testing.T, u string) apiResult {
		t.Helper()
		parsed, err := url.Parse(u)
		if err != nil || parsed.Scheme != "http" || parsed.Host != "example.com" || parsed.Path != "/result" {
			t.Fatalf("URL %q is not an absolute /result URL on the request's host", u)
		}
		rec := get(t, h, "/api/v1/result?"+parsed.RawQuery)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d; body %.300s", u, rec.Code, rec.Body.String())
		}
		return decodeJSON[apiResult](t, rec)
	}
	checked := 0
	for _, set := range apiSets {
		t.Run(set.name, func(t *testing.T) {
			base := decodeJSON[apiResult](t, get(t, h, "/api/v1/result?"+s.content.Encode(set.answers)))
			if again := fetch(t, base.ShareURL); !reflect.DeepEqual(again, base) {
				t.Error("share_url gives a different result")
			}
			var alts []apiAlternative
			for _, cf := range base.Counterfactuals {
				if !cf.ChangesRecommendation || cf.Recommendation == base.Recommendation {
					t.Errorf("counterfactual %s=%s does not change %s", cf.Question, cf.Answer, base.Recommendation)
				}
				alts = append(alts, cf)
			}
			for _, oq := range base.OpenQuestions {
				for _, alt := range oq.Alternatives {
					if alt.Question != oq.Question {
						t.Errorf("open question %s lists an alternative for %s", oq.Question, alt.Question)
					}
					if !alt.ChangesRecommendation || alt.Recommendation == base.Recommendation {
						t.Errorf("%s=%s: changes_recommendation %v with %s → %s", alt.Question, alt.Answer, alt.ChangesRecommendation, base.Recommendation, alt.Recommendation)
					}
					alts = append(alts, alt)
				}
			}
			for _, alt := range alts {
				got := fetch(t, alt.URL)
				if got.Recommendation != alt.Recommendation {
					t.Errorf("%s=%s promises %s, its URL gives %s", alt.Question, alt.Answer, alt.Recommendation, got.Recommendation)
				}
				for _, r := range got.Reasons {
					if r.Question == alt.Question && r.Answer != alt.Answer {
						t.Errorf("%s=%s: its URL answers %s", alt.Question, alt.Answer, r.Answer)
					}
				}
				for _, id := range alt.Opened {
					if !slices.ContainsFunc(got.Reasons, func(r apiReason) bool { return r.Question == id && r.Answer == "notsure" }) {
						t.Errorf("%s=%s opens %s, which its URL does not answer \"notsure\"", alt.Question, alt.Answer, id)
					}
				}
				checked++
			}
		})
	}
	if checked < 20 {
		t.Errorf("only %d alternatives checked: the answer sets should produce more", checked)
	}
}

// --- URLs ---

// Absolute URLs come from PUBLIC_URL only: the Host header (or a forwarded one) never does.
func TestAbsoluteURL(t *testing.T) {
	s, _ := newTestServer(t)
	s.cfg.PublicURL = nil
	req := httptest.NewRequest(http.MethodGet, "/api/v1/result", nil)
	req.Host = "wizard.example:8080"
	req.Header.Set("X-Forwarded-Host", "evil.example")
	req.TLS = &tls.ConnectionState{}
	if got := s.publicURL("/result?v=3"); got != "/result?v=3" {
		t.Errorf("without PUBLIC_URL: %q, want the relative link", got)
	}
	s.cfg.PublicURL = &url.URL{Scheme: "https", Host: "wizard.example.com"}
	if got := s.publicURL("/result?v=3"); got != "https://wizard.example.com/result?v=3" {
		t.Errorf("with PUBLIC_URL: %q", got)
	}
}

// Once routes.go mounts the API, this checks it behind the site's own middleware, 404 and 405.
func TestAPIMountedInSite(t *testing.T) {
	_, h := newTestServer(t)
	if rec := get(t, h, "/api/v1/decision"); rec.Code == http.StatusNotFound && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatal("routes.go does not mount the API: /api/v1/decision is the site's 404 page")
	}
	for _, tt := range []struct {
		method, target string
		status         int
		contentType    string
	}{
		{http.MethodGet, "/api/v1/decision", http.StatusOK, mediaJSON},
		{http.MethodHead, "/api/v1/result?" + fullPlatform, http.StatusOK, mediaJSON},
		{http.MethodGet, "/api/v1/nope", http.StatusNotFound, mediaProblem},
		{http.MethodPost, "/api/v1/result", http.StatusMethodNotAllowed, mediaProblem},
		{http.MethodOptions, "/api/v1/result", http.StatusNoContent, ""},
		{http.MethodGet, "/no/such/page", http.StatusNotFound, "text/html; charset=utf-8"},
	} {
		rec := do(t, h, tt.method, tt.target)
		if rec.Code != tt.status || rec.Header().Get("Content-Type") != tt.contentType {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.target, rec.Code, rec.Header().Get("Content-Type"), tt.status, tt.contentType)
		}
	}
}
