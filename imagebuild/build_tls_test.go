package imagebuild

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/deploykit/deploykit/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeCert issues a certificate signed by parent (self-signed when parent
// is nil) and writes cert and key as PEM files named base.crt/base.key.
func writeCert(t *testing.T, dir, base string, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, base+".crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, base+".key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert, key
}

func TestBuilderOverTCPWithMutualTLS(t *testing.T) {
	testenv.BuildKit(t)
	dir := t.TempDir()
	now := time.Now()
	ca, caKey := writeCert(t, dir, "ca", &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "deploykit test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}, nil, nil)
	writeCert(t, dir, "server", &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "buildkitd"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"buildkitd"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, ca, caKey)
	writeCert(t, dir, "client", &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "deploykit"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, ca, caKey)

	port := testenv.FreePort(t)
	addr := fmt.Sprintf("tcp://127.0.0.1:%d", port)
	startBuildkitd(t, "--addr", addr, "--tlscacert", filepath.Join(dir, "ca.crt"),
		"--tlscert", filepath.Join(dir, "server.crt"), "--tlskey", filepath.Join(dir, "server.key"))
	// The unix socket answers first; wait for the TLS listener too.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		require.True(t, time.Now().Before(deadline), "buildkitd tcp listener: %v", err)
		time.Sleep(100 * time.Millisecond)
	}

	ctxDir := t.TempDir()
	writeBuildTree(t, ctxDir, map[string]string{"Dockerfile": "FROM scratch\nCOPY a.txt /\n", "a.txt": "over TLS"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := NewBuilder(ctx, BuilderConfig{Addr: addr, TLS: &BuilderTLS{
		CACert: filepath.Join(dir, "ca.crt"), Cert: filepath.Join(dir, "client.crt"), Key: filepath.Join(dir, "client.key")}})
	require.NoError(t, err)
	defer b.Close()
	res, err := b.Build(ctx, Target{Context: ctxDir})
	require.NoError(t, err)
	assert.NotEmpty(t, res.ManifestDigest)

	// Without a client certificate the daemon refuses the connection.
	short, cancel2 := context.WithTimeout(ctx, 20*time.Second)
	defer cancel2()
	nb, err := NewBuilder(short, BuilderConfig{Addr: addr, TLS: &BuilderTLS{CACert: filepath.Join(dir, "ca.crt")}})
	require.NoError(t, err)
	defer nb.Close()
	_, err = nb.Build(short, Target{Context: ctxDir})
	assert.Error(t, err)

	_, err = NewBuilder(ctx, BuilderConfig{Addr: addr, TLS: &BuilderTLS{Cert: "x.crt"}})
	assert.ErrorContains(t, err, "both Cert and Key")
}
