package cache

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// AzureBlobStore is a Store in an Azure Blob Storage container: one block
// blob per entry, named <Prefix><id>.tzst, with the entry in its metadata.
// A block blob becomes visible only when its block list is committed, and
// the commit carries If-None-Match: *, so saves are atomic and the first
// complete save of an entry wins (ErrEntryExists for the others).
type AzureBlobStore struct {
	// Container is the container client (for example from
	// azblob.NewClientFromConnectionString(...).ServiceClient().NewContainerClient(name)).
	Container *container.Client
	// Prefix is prepended to blob names, for example "deploykit-cache/".
	Prefix string
	// BlockSize is the upload block size. Zero: 8 MiB.
	BlockSize int64
}

const (
	metaKey     = "dkkey"
	metaVersion = "dkversion"
	metaScope   = "dkscope"
	metaCreated = "dkcreated"
)

func b64(s string) *string {
	v := base64.RawURLEncoding.EncodeToString([]byte(s))
	return &v
}

func (a *AzureBlobStore) blobName(e Entry) string { return a.Prefix + entryID(e) + ".tzst" }

// EnsureContainer creates the container if it does not exist.
func (a *AzureBlobStore) EnsureContainer(ctx context.Context) error {
	_, err := a.Container.Create(ctx, nil)
	if err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return fmt.Errorf("azure blob store: create container: %w", err)
	}
	return nil
}

// Save implements Store.
func (a *AzureBlobStore) Save(ctx context.Context, e Entry, r io.Reader) (Entry, error) {
	bs := a.BlockSize
	if bs == 0 {
		bs = 8 << 20
	}
	e.Created = time.Now().UTC()
	cr := &countingReader{r: r}
	anyETag := azcore.ETagAny
	_, err := a.Container.NewBlockBlobClient(a.blobName(e)).UploadStream(ctx, cr, &blockblob.UploadStreamOptions{
		BlockSize:   bs,
		Concurrency: 2,
		Metadata: map[string]*string{
			metaKey: b64(e.Key), metaVersion: b64(e.Version), metaScope: b64(e.Scope),
			metaCreated: b64(e.Created.Format(time.RFC3339Nano)),
		},
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: &anyETag}},
	})
	if err != nil {
		if bloberror.HasCode(err, bloberror.BlobAlreadyExists, bloberror.ConditionNotMet) {
			return Entry{}, fmt.Errorf("azure blob store %q: %w", e.Key, ErrEntryExists)
		}
		var re *azcore.ResponseError
		if errors.As(err, &re) && (re.StatusCode == 409 || re.StatusCode == 412) {
			return Entry{}, fmt.Errorf("azure blob store %q: %w", e.Key, ErrEntryExists)
		}
		return Entry{}, fmt.Errorf("azure blob store: upload %q: %w", e.Key, err)
	}
	e.Size = cr.n
	return e, nil
}

// Open implements Store.
func (a *AzureBlobStore) Open(ctx context.Context, e Entry) (io.ReadCloser, error) {
	resp, err := a.Container.NewBlobClient(a.blobName(e)).DownloadStream(ctx, nil)
	if err != nil {
		if bloberror.HasCode(err, bloberror.BlobNotFound) {
			return nil, fmt.Errorf("azure blob store %q: %w", e.Key, ErrEntryNotFound)
		}
		return nil, fmt.Errorf("azure blob store: download %q: %w", e.Key, err)
	}
	return resp.Body, nil
}

// List implements Store.
func (a *AzureBlobStore) List(ctx context.Context) ([]Entry, error) {
	var out []Entry
	prefix := a.Prefix
	pager := a.Container.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{
		Prefix:  &prefix,
		Include: container.ListBlobsInclude{Metadata: true},
	})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("azure blob store: list: %w", err)
		}
		for _, item := range page.Segment.BlobItems {
			if item.Name == nil || !strings.HasSuffix(*item.Name, ".tzst") {
				continue
			}
			e, ok := entryFromMetadata(item.Metadata)
			if !ok || a.blobName(e) != *item.Name {
				continue
			}
			if item.Properties != nil {
				if item.Properties.ContentLength != nil {
					e.Size = *item.Properties.ContentLength
				}
				if e.Created.IsZero() && item.Properties.CreationTime != nil {
					e.Created = *item.Properties.CreationTime
				}
			}
			out = append(out, e)
		}
	}
	return out, nil
}

func entryFromMetadata(md map[string]*string) (Entry, bool) {
	get := func(k string) (string, bool) {
		for mk, v := range md {
			if strings.EqualFold(mk, k) && v != nil {
				b, err := base64.RawURLEncoding.DecodeString(*v)
				return string(b), err == nil
			}
		}
		return "", false
	}
	var e Entry
	var ok1, ok2, ok3 bool
	e.Key, ok1 = get(metaKey)
	e.Version, ok2 = get(metaVersion)
	e.Scope, ok3 = get(metaScope)
	if c, ok := get(metaCreated); ok {
		e.Created, _ = time.Parse(time.RFC3339Nano, c)
	}
	return e, ok1 && ok2 && ok3
}

// Delete implements Store.
func (a *AzureBlobStore) Delete(ctx context.Context, e Entry) error {
	_, err := a.Container.NewBlobClient(a.blobName(e)).Delete(ctx, nil)
	if err != nil {
		if bloberror.HasCode(err, bloberror.BlobNotFound) {
			return fmt.Errorf("azure blob store %q: %w", e.Key, ErrEntryNotFound)
		}
		return fmt.Errorf("azure blob store: delete %q: %w", e.Key, err)
	}
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
