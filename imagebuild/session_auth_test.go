package imagebuild

import (
	"context"
	"testing"

	"github.com/moby/buildkit/session/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSessionAuthCredentials(t *testing.T) {
	a := newSessionAuth(Credentials(map[string]BuildCredentials{
		"myreg.azurecr.io": {Username: "00000000-0000-0000-0000-000000000000", Password: "token"},
		"docker.io":        {Username: "me", Password: "pat"},
	})).(*sessionAuth)
	ctx := context.Background()
	r, err := a.Credentials(ctx, &auth.CredentialsRequest{Host: "MyReg.azurecr.io"})
	require.NoError(t, err)
	assert.Equal(t, "token", r.Secret)
	r, err = a.Credentials(ctx, &auth.CredentialsRequest{Host: "registry-1.docker.io"})
	require.NoError(t, err)
	assert.Equal(t, "me", r.Username, "Docker Hub's registry host maps to docker.io")
	r, err = a.Credentials(ctx, &auth.CredentialsRequest{Host: "other.example.com"})
	require.NoError(t, err)
	assert.Empty(t, r.Username, "anonymous")
	// Token authority is not offered: buildkitd falls back to Credentials.
	_, err = a.GetTokenAuthority(ctx, &auth.GetTokenAuthorityRequest{Host: "x"})
	assert.Error(t, err)
}
