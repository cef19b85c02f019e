package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// shots BASE OUTDIR name=path ...
func main() {
	base, dir := os.Args[1], os.Args[2]
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	for _, arg := range os.Args[3:] {
		name, path, _ := strings.Cut(arg, "=")
		for _, sz := range [][2]int64{{390, 844}, {1280, 800}} {
			ctx, c3 := chromedp.NewContext(bctx)
			vo := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
			if sz[0] < 500 {
				vo = append(vo, chromedp.EmulateMobile)
			}
			err := chromedp.Do(ctx, chromedp.EmulateViewport(sz[0], sz[1], vo...))
			if err == nil {
				_, err = chromedp.Run(ctx, chromedp.NavigateResponse(base+path))
			}
			time.Sleep(300 * time.Millisecond)
			var buf []byte
			if err == nil {
				buf, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
			}
			if err != nil {
				fmt.Println(name, err)
			} else {
				os.WriteFile(fmt.Sprintf("%s/%s-%d.png", dir, name, sz[0]), buf, 0o644)
			}
			c3()
		}
	}
}
