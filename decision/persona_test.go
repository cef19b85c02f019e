package decision

import "testing"

// personas are drawn from the article's use cases, each with the outcome the article implies.
var personas = []struct {
	name    string
	answers Answers
	want    string
	why     string
	// unsupported marks a persona no answer of which adds evidence for the recommendation.
	unsupported bool
}{
	{
		name:    "SEO-critical content site",
		answers: Answers{"build": "site", "logic": "simple", "seo": "critical", "render": "fast", "api": "own", "realtime": "no", "team": "react", "share": "no", "quality": "no"},
		want:    NextJS,
		why:     "'If server-side rendering (SSR), static site generation (SSG), and SEO optimization are critical, Next.js is the way to go.'",
	},
	{
		name:    "real-time API backend",
		answers: Answers{"build": "api", "logic": "complex", "growth": "monolith", "realtime": "essential", "team": "fullstack", "quality": "essential"},
		want:    NestJS,
		why:     "'If you need to handle complex backend logic, REST APIs, GraphQL APIs, or real-time WebSockets, NestJS is built exactly for that.'",
	},
	{
		name:    "e-commerce platform needing both",
		answers: Answers{"build": "site", "logic": "complex", "growth": "monolith", "seo": "critical", "render": "mixed", "api": "public", "realtime": "some", "team": "fullstack", "share": "yes", "quality": "helpful"},
		want:    Both,
		why:     "e-commerce is a Next.js example ('e-commerce platforms, content-heavy websites'), and complex logic with an API for other apps is NestJS's: 'NestJS as the backend, handling APIs and business logic, and Next.js as the frontend.'",
	},
	{
		name:    "Spring team moving to microservices",
		answers: Answers{"build": "api", "logic": "complex", "growth": "services", "realtime": "no", "team": "java", "quality": "essential"},
		want:    NestJS,
		why:     "'Inspired by Spring Boot' and 'excellent choice for both monolithic and microservices architectures'",
	},
	{
		name:    "marketing site with a contact form",
		answers: Answers{"build": "site", "logic": "simple", "seo": "helpful", "render": "fast", "api": "none", "realtime": "no", "team": "react", "share": "no", "quality": "no"},
		want:    NextJS,
		why:     "API routes are 'a good match for things like form submissions'",
	},
	{
		name:    "live dashboard product with a partner API",
		answers: Answers{"build": "platform", "logic": "moderate", "growth": "services", "seo": "helpful", "render": "mixed", "api": "public", "realtime": "essential", "team": "fullstack", "share": "yes", "quality": "essential"},
		want:    Both,
		why:     "WebSockets are 'crucial for live chat apps and real-time dashboards', NestJS for 'RESTful APIs, GraphQL APIs, microservices'; the pages are Next.js's",
	},
	{
		name:    "content-heavy website from a CMS",
		answers: Answers{"build": "site", "logic": "notsure", "growth": "small", "seo": "critical", "render": "mixed", "api": "none", "realtime": "no", "team": "notsure", "share": "notsure", "quality": "notsure"},
		want:    NextJS,
		why:     "Next.js suits 'content-heavy websites' and 'fetching data from an external CMS'",
	},
	{
		name:    "internal API for a mobile app with simple logic",
		answers: Answers{"build": "api", "logic": "simple", "realtime": "no", "team": "react", "quality": "no"},
		want:    NestJS,
		why:     "'NestJS is strictly a backend framework'; with no pages of its own there is nothing for Next.js to render",
	},
	{
		name:    "dashboard behind a sign-in with a few live updates",
		answers: Answers{"build": "app", "logic": "simple", "seo": "none", "render": "client", "api": "own", "realtime": "some", "team": "fullstack", "share": "no", "quality": "no"},
		want:    NextJS,
		why:     "'dynamic dashboards' are a Next.js example, for projects that need 'a balance of speed, interactivity, and real-time updates'; the backend is 'smaller backend tasks'",
	},
	{
		name:    "web app with a GraphQL API for its own front end, built by a DDD team",
		answers: Answers{"build": "app", "logic": "moderate", "growth": "monolith", "seo": "none", "render": "client", "api": "graphql", "realtime": "no", "team": "ddd", "share": "yes", "quality": "helpful"},
		want:    Both,
		why:     "GraphQL APIs are what 'NestJS is built exactly for'; 'For teams following Domain-Driven Design (DDD), NestJS makes life easier'",
	},
	{
		name:    "not sure what it is yet, but people must find it through search",
		answers: Answers{"build": "notsure", "logic": "notsure", "growth": "notsure", "seo": "critical", "render": "notsure", "api": "notsure", "realtime": "notsure", "team": "notsure", "share": "notsure", "quality": "notsure"},
		want:    NextJS,
		why:     "critical search visibility means pages of its own: 'If ... SEO optimization are critical, Next.js is the way to go.'",
	},
	{
		name:    "not sure what it is yet, but its logic is complex",
		answers: Answers{"build": "notsure", "logic": "complex", "growth": "notsure", "seo": "notsure", "render": "notsure", "api": "notsure", "realtime": "notsure", "team": "notsure", "share": "notsure", "quality": "notsure"},
		want:    NestJS,
		why:     "complex backend logic is what 'NestJS is built exactly for', whether or not pages come in front of it",
	},
	{
		name:        "not sure of anything",
		answers:     Answers{"build": "notsure", "logic": "notsure", "growth": "notsure", "seo": "notsure", "render": "notsure", "api": "notsure", "realtime": "notsure", "team": "notsure", "share": "notsure", "quality": "notsure"},
		want:        NotSure,
		why:         "nothing is said about what the project needs, and the choice is 'about what your project actually needs'",
		unsupported: true,
	},
}

func TestPersonas(t *testing.T) {
	c := mustDefault(t)
	for _, tt := range personas {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Replay(tt.answers)
			if !r.Complete() || len(r.Dropped) > 0 {
				t.Fatalf("persona answers are not a clean complete path: next=%v dropped=%v", r.Next, r.Dropped)
			}
			res, err := c.Evaluate(&r)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome.ID != tt.want {
				t.Fatalf("got %s (fit %v, %s), want %s because %s", res.Outcome.ID, res.Needs, res.Confidence.Label, tt.want, tt.why)
			}
			if !tt.unsupported && res.Reasons[0].Stance != Supports {
				t.Errorf("first reason %q does not support the recommendation", res.Reasons[0].Question.ID)
			}
		})
	}
}
