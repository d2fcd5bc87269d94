package bleve

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/breachwire/breachwire/services/store"
)

// mappingVersion names the incidents mapping. Bleve keeps the mapping an
// index was made with, so a field added later would be indexed for no
// incident already stored; an index whose recorded version differs (or
// that records none) is rebuilt at Open from the documents it stores.
//
//	2: jurisdiction and source kind facets, source: queries
const mappingVersion = "2"

var mappingKey = []byte("breachwire_mapping_version")

// openIncidents opens the incidents index, rebuilding it first when it was
// made with another mapping.
func openIncidents(path string, im *mapping.IndexMappingImpl, log *slog.Logger) (blevesearch.Index, error) {
	old := path + ".old"
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		// A rebuild stopped between its two renames: the old index is
		// whole; rebuild again from it.
		if _, err := os.Stat(old); err == nil {
			if err := os.Rename(old, path); err != nil {
				return nil, fmt.Errorf("bleve store: restore %s: %w", old, err)
			}
		}
	}
	idx, created, err := openIndex(path, im)
	if err != nil {
		return nil, err
	}
	if created {
		if err := idx.SetInternal(mappingKey, []byte(mappingVersion)); err != nil {
			_ = idx.Close()
			return nil, fmt.Errorf("bleve store: %w", err)
		}
		return idx, nil
	}
	v, err := idx.GetInternal(mappingKey)
	if err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("bleve store: %w", err)
	}
	if string(v) == mappingVersion {
		return idx, nil
	}
	n, _ := idx.DocCount()
	log.Info("bleve store: rebuilding the incidents index for a newer mapping; the store serves when it is done",
		"path", path, "from", string(v), "to", mappingVersion, "incidents", n)
	start := time.Now()
	if err := rebuild(idx, path, im); err != nil {
		return nil, fmt.Errorf("bleve store: rebuild %s for mapping %s: %w", path, mappingVersion, err)
	}
	log.Info("bleve store: incidents index rebuilt", "path", path, "took", time.Since(start).Round(time.Millisecond))
	idx, _, err = openIndex(path, im)
	return idx, err
}

// rebuild copies every incident of idx (which it closes) into a new index
// made with im, then puts the new index in idx's place. The incidents'
// version counters are kept, so a version read before stays valid.
func rebuild(idx blevesearch.Index, path string, im *mapping.IndexMappingImpl) error {
	tmp := path + ".rebuild"
	if err := os.RemoveAll(tmp); err != nil {
		return errors.Join(err, idx.Close())
	}
	next, err := blevesearch.NewUsing(tmp, im, blevesearch.Config.DefaultIndexType, blevesearch.Config.DefaultKVStore, runtimeConfig())
	if err != nil {
		return errors.Join(err, idx.Close())
	}
	copyErr := copyIncidents(idx, next)
	if copyErr == nil {
		copyErr = next.SetInternal(mappingKey, []byte(mappingVersion))
	}
	if err := errors.Join(copyErr, next.Close(), idx.Close()); err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	old := path + ".old"
	if err := os.Rename(path, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

func copyIncidents(from, to blevesearch.Index) error {
	const page = 500
	req := blevesearch.NewSearchRequestOptions(blevesearch.NewMatchAllQuery(), page, 0, false)
	req.Fields = []string{fJSON, fSeq}
	req.SortBy([]string{"_id"})
	for {
		res, err := from.Search(req)
		if err != nil {
			return err
		}
		b := to.NewBatch()
		for _, h := range res.Hits {
			raw, seq, err := storedFields(h.Fields)
			if err != nil {
				return fmt.Errorf("incident %s: %w", h.ID, err)
			}
			var inc store.Incident
			if err := json.Unmarshal([]byte(raw), &inc); err != nil {
				return fmt.Errorf("incident %s: %w", h.ID, err)
			}
			doc, err := incidentDoc(&inc, seq)
			if err != nil {
				return err
			}
			if err := b.Index(h.ID, doc); err != nil {
				return err
			}
		}
		if err := to.Batch(b); err != nil {
			return err
		}
		if len(res.Hits) < page {
			return nil
		}
		req.SearchAfter = []string{res.Hits[len(res.Hits)-1].ID}
	}
}
