package testenv

import (
	"runtime"
	"sync"
	"time"
)

// HeapGrowthMB runs f while sampling the heap in use every 5 ms, and
// returns the most it grew above its level before f, in MB: the memory
// bound of the hostile-input tests, measured in-process.
func HeapGrowthMB(f func()) float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var s runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			runtime.ReadMemStats(&s)
			peak = max(peak, s.HeapInuse) // read only after wg.Wait
		}
	})
	f()
	close(stop)
	wg.Wait()
	return float64(peak-base) / (1 << 20)
}
