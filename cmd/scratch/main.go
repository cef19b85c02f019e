package main

import (
	"fmt"
	"os"
	"time"

	"nestnext/decision"
)

func main() {
	t := time.Now()
	c, err := decision.Default()
	fmt.Println("load", time.Since(t))
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	for _, e := range c.Examples {
		r := c.Replay(e.Answers)
		res, err := c.Evaluate(&r)
		if err != nil {
			fmt.Println(e.ID, err)
			continue
		}
		fmt.Printf("%-16s %-10s %-8s want %s/%s", e.ID, res.Outcome.ID, res.Confidence.Level, e.Outcome, e.Confidence)
		for _, nv := range res.Needs {
			fmt.Printf(" %s=%d(%s)", nv.Need.ID, nv.Value, nv.State)
		}
		for _, d := range res.Confidence.Deciding {
			fmt.Printf(" [%s=%s->%s]", d.Question.ID, d.To.ID, d.Result.Outcome.ID)
		}
		if u := res.Confidence.Unsettled; u != nil {
			fmt.Printf(" unsettled:")
			for _, q := range u.Questions {
				fmt.Printf(" %s", q.ID)
			}
		}
		fmt.Println()
	}
}
