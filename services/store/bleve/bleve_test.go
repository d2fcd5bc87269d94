package bleve_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/store/storetest"
)

// Bleve starts its analysis workers once per process, in its own init.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := bleve.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
