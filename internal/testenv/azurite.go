package testenv

import (
	"strings"
	"testing"
)

// Azurite's well-known development account. These are public, documented
// constants of the emulator, not secrets.
const (
	AzuriteAccountName = "devstoreaccount1"
	AzuriteAccountKey  = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// AzuriteBlob describes the test Azurite blob service.
type AzuriteBlob struct {
	// URL is the blob service endpoint, http://127.0.0.1:PORT/devstoreaccount1.
	URL string
	// AccountName and AccountKey are Azurite's well-known shared key.
	AccountName, AccountKey string
}

// ConnectionString returns an Azure Storage connection string for the
// emulator, accepted by azblob.NewClientFromConnectionString.
func (a AzuriteBlob) ConnectionString() string {
	return "DefaultEndpointsProtocol=http;AccountName=" + a.AccountName +
		";AccountKey=" + a.AccountKey + ";BlobEndpoint=" + a.URL + ";"
}

// Azurite returns the test Azurite blob endpoint. Tests should create
// containers with unique names (for example from t.Name()) and delete them.
func Azurite(t testing.TB) AzuriteBlob {
	t.Helper()
	u := strings.TrimRight(lookup(t, EnvAzuriteBlob, "Azurite (blob service)"), "/")
	return AzuriteBlob{URL: u, AccountName: AzuriteAccountName, AccountKey: AzuriteAccountKey}
}
