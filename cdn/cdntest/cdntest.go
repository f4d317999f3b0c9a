package cdntest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/cdn/armcdn/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/cdn/armcdn/v2/fake"

	"github.com/deploykit/deploykit/internal/armtest"
)

// FrontDoor is a fake Front Door.
type FrontDoor struct {
	store     *armtest.Store
	recorder  *armtest.Recorder
	purges    [][]string
	mu        sync.Mutex
	transport policy.Transporter
}

// Store holds the resources by ARM path (case-insensitive). Its type is
// deploykit's internal test store; its methods and armtest.Get/Put/Patch
// read and change the fake state.
func (fd *FrontDoor) Store() *armtest.Store { return fd.store }

// Recorder has seen every request that reached the fake service, in order.
func (fd *FrontDoor) Recorder() *armtest.Recorder { return fd.recorder }

// ClientOptions returns ARM client options that send to the fake.
func (fd *FrontDoor) ClientOptions() *arm.ClientOptions { return armtest.ClientOptions(fd.transport) }

// Credential is a fake token credential for the clients.
func (fd *FrontDoor) Credential() *azfake.TokenCredential { return &azfake.TokenCredential{} }

// Factory returns an armcdn client factory for sub that talks to the fake.
func (fd *FrontDoor) Factory(sub string) (*armcdn.ClientFactory, error) {
	return armcdn.NewClientFactory(sub, fd.Credential(), fd.ClientOptions())
}

// PurgeCalls returns a copy of the recorded purges.
func (fd *FrontDoor) PurgeCalls() [][]string {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	return append([][]string(nil), fd.purges...)
}

// rawMerge applies PATCH bodies to the store before the fake sees them.
type rawMerge struct {
	store *armtest.Store
	next  policy.Transporter
}

func (m *rawMerge) Do(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPatch && req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		if doc, ok := m.store.Raw(req.URL.Path); ok {
			merged, err := armtest.MergePatch(doc, b)
			if err != nil {
				return nil, err
			}
			var v map[string]any
			if err := json.Unmarshal(merged, &v); err != nil {
				return nil, err
			}
			_ = armtest.Put(m.store, req.URL.Path, v)
		}
	}
	return m.next.Do(req)
}

func get[T any, R any](store *armtest.Store, k string, wrap func(T) R) (azfake.Responder[R], azfake.ErrorResponder) {
	v, ok, err := armtest.Get[T](store, k)
	if err != nil || !ok {
		return armtest.Fail[R](http.StatusNotFound, "NotFound")
	}
	return armtest.Respond(http.StatusOK, wrap(v))
}

// put stores a created resource with the fields the service adds.
func put[T any, R any](store *armtest.Store, k string, v T, wrap func(T) R) (azfake.PollerResponder[R], azfake.ErrorResponder) {
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["id"] = k
	m["name"] = k[strings.LastIndexByte(k, '/')+1:]
	props, _ := m["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	props["provisioningState"] = "Succeeded"
	props["deploymentStatus"] = "NotStarted"
	m["properties"] = props
	_ = armtest.Put(store, k, m)
	out, _, _ := armtest.Get[T](store, k)
	return armtest.Done(wrap(out))
}

func patched[T any, R any](store *armtest.Store, k string, wrap func(T) R) (azfake.PollerResponder[R], azfake.ErrorResponder) {
	v, ok, err := armtest.Get[T](store, k)
	if err != nil || !ok {
		return armtest.FailLRO[R](http.StatusNotFound, "NotFound")
	}
	return armtest.Done(wrap(v))
}

// New returns a fake Front Door for subscription sub: the SDK's fake
// servers for profiles, endpoints (with purge), origin groups, origins,
// routes, rule sets and rules, behind one stateful store, with a recording
// transport in front. wrap, when not nil, wraps the transport the clients
// use (for example to inject 429/503 answers before the recorder).
func New(sub string, wrap func(next policy.Transporter) policy.Transporter) *FrontDoor {
	pkey := func(rg, p string, rest ...string) string {
		return "/subscriptions/" + sub + "/resourceGroups/" + strings.Join(append([]string{rg, "providers/Microsoft.Cdn/profiles", p}, rest...), "/")
	}
	fd := &FrontDoor{}
	st := armtest.NewStore()
	srv := &fake.ServerFactory{
		ProfilesServer: fake.ProfilesServer{
			Get: func(_ context.Context, rg, p string, _ *armcdn.ProfilesClientGetOptions) (azfake.Responder[armcdn.ProfilesClientGetResponse], azfake.ErrorResponder) {
				return get(st, pkey(rg, p), func(v armcdn.Profile) armcdn.ProfilesClientGetResponse {
					return armcdn.ProfilesClientGetResponse{Profile: v}
				})
			},
			BeginCreate: func(_ context.Context, rg, p string, v armcdn.Profile, _ *armcdn.ProfilesClientBeginCreateOptions) (azfake.PollerResponder[armcdn.ProfilesClientCreateResponse], azfake.ErrorResponder) {
				return put(st, pkey(rg, p), v, func(v armcdn.Profile) armcdn.ProfilesClientCreateResponse {
					return armcdn.ProfilesClientCreateResponse{Profile: v}
				})
			},
			BeginUpdate: func(_ context.Context, rg, p string, _ armcdn.ProfileUpdateParameters, _ *armcdn.ProfilesClientBeginUpdateOptions) (azfake.PollerResponder[armcdn.ProfilesClientUpdateResponse], azfake.ErrorResponder) {
				return patched(st, pkey(rg, p), func(v armcdn.Profile) armcdn.ProfilesClientUpdateResponse {
					return armcdn.ProfilesClientUpdateResponse{Profile: v}
				})
			},
		},
		AFDEndpointsServer: fake.AFDEndpointsServer{
			BeginPurgeContent: func(_ context.Context, rg, p, e string, contents armcdn.AfdPurgeParameters, _ *armcdn.AFDEndpointsClientBeginPurgeContentOptions) (azfake.PollerResponder[armcdn.AFDEndpointsClientPurgeContentResponse], azfake.ErrorResponder) {
				if !st.Has(pkey(rg, p, "afdEndpoints", e)) {
					return armtest.FailLRO[armcdn.AFDEndpointsClientPurgeContentResponse](http.StatusNotFound, "NotFound")
				}
				var paths []string
				for _, c := range contents.ContentPaths {
					if c != nil {
						paths = append(paths, *c)
					}
				}
				fd.mu.Lock()
				fd.purges = append(fd.purges, paths)
				fd.mu.Unlock()
				return armtest.Done(armcdn.AFDEndpointsClientPurgeContentResponse{})
			},
			Get: func(_ context.Context, rg, p, e string, _ *armcdn.AFDEndpointsClientGetOptions) (azfake.Responder[armcdn.AFDEndpointsClientGetResponse], azfake.ErrorResponder) {
				return get(st, pkey(rg, p, "afdEndpoints", e), func(v armcdn.AFDEndpoint) armcdn.AFDEndpointsClientGetResponse {
					return armcdn.AFDEndpointsClientGetResponse{AFDEndpoint: v}
				})
			},
			BeginCreate: func(_ context.Context, rg, p, e string, v armcdn.AFDEndpoint, _ *armcdn.AFDEndpointsClientBeginCreateOptions) (azfake.PollerResponder[armcdn.AFDEndpointsClientCreateResponse], azfake.ErrorResponder) {
				return put(st, pkey(rg, p, "afdEndpoints", e), v, func(v armcdn.AFDEndpoint) armcdn.AFDEndpointsClientCreateResponse {
					return armcdn.AFDEndpointsClientCreateResponse{AFDEndpoint: v}
				})
			},
			BeginUpdate: func(_ context.Context, rg, p, e string, _ armcdn.AFDEndpointUpdateParameters, _ *armcdn.AFDEndpointsClientBeginUpdateOptions) (azfake.PollerResponder[armcdn.AFDEndpointsClientUpdateResponse], azfake.ErrorResponder) {
				return patched(st, pkey(rg, p, "afdEndpoints", e), func(v armcdn.AFDEndpoint) armcdn.AFDEndpointsClientUpdateResponse {
					return armcdn.AFDEndpointsClientUpdateResponse{AFDEndpoint: v}
				})
			},
		},
		AFDOriginGroupsServer: fake.AFDOriginGroupsServer{
			Get: func(_ context.Context, rg, p, g string, _ *armcdn.AFDOriginGroupsClientGetOptions) (azfake.Responder[armcdn.AFDOriginGroupsClientGetResponse], azfake.ErrorResponder) {
				return get(st, pkey(rg, p, "originGroups", g), func(v armcdn.AFDOriginGroup) armcdn.AFDOriginGroupsClientGetResponse {
					return armcdn.AFDOriginGroupsClientGetResponse{AFDOriginGroup: v}
				})
			},
			BeginCreate: func(_ context.Context, rg, p, g string, v armcdn.AFDOriginGroup, _ *armcdn.AFDOriginGroupsClientBeginCreateOptions) (azfake.PollerResponder[armcdn.AFDOriginGroupsClientCreateResponse], azfake.ErrorResponder) {
				return put(st, pkey(rg, p, "originGroups", g), v, func(v armcdn.AFDOriginGroup) armcdn.AFDOriginGroupsClientCreateResponse {
					return armcdn.AFDOriginGroupsClientCreateResponse{AFDOriginGroup: v}
				})
			},
			BeginUpdate: func(_ context.Context, rg, p, g string, _ armcdn.AFDOriginGroupUpdateParameters, _ *armcdn.AFDOriginGroupsClientBeginUpdateOptions) (azfake.PollerResponder[armcdn.AFDOriginGroupsClientUpdateResponse], azfake.ErrorResponder) {
				return patched(st, pkey(rg, p, "originGroups", g), func(v armcdn.AFDOriginGroup) armcdn.AFDOriginGroupsClientUpdateResponse {
					return armcdn.AFDOriginGroupsClientUpdateResponse{AFDOriginGroup: v}
				})
			},
		},
		AFDOriginsServer: fake.AFDOriginsServer{
			Get: func(_ context.Context, rg, p, g, o string, _ *armcdn.AFDOriginsClientGetOptions) (azfake.Responder[armcdn.AFDOriginsClientGetResponse], azfake.ErrorResponder) {
				return get(st, pkey(rg, p, "originGroups", g, "origins", o), func(v armcdn.AFDOrigin) armcdn.AFDOriginsClientGetResponse {
					return armcdn.AFDOriginsClientGetResponse{AFDOrigin: v}
				})
			},
			BeginCreate: func(_ context.Context, rg, p, g, o string, v armcdn.AFDOrigin, _ *armcdn.AFDOriginsClientBeginCreateOptions) (azfake.PollerResponder[armcdn.AFDOriginsClientCreateResponse], azfake.ErrorResponder) {
				return put(st, pkey(rg, p, "originGroups", g, "origins", o), v, func(v armcdn.AFDOrigin) armcdn.AFDOriginsClientCreateResponse {
					return armcdn.AFDOriginsClientCreateResponse{AFDOrigin: v}
				})
			},
			BeginUpdate: func(_ context.Context, rg, p, g, o string, _ armcdn.AFDOriginUpdateParameters, _ *armcdn.AFDOriginsClientBeginUpdateOptions) (azfake.PollerResponder[armcdn.AFDOriginsClientUpdateResponse], azfake.ErrorResponder) {
				return patched(st, pkey(rg, p, "originGroups", g, "origins", o), func(v armcdn.AFDOrigin) armcdn.AFDOriginsClientUpdateResponse {
					return armcdn.AFDOriginsClientUpdateResponse{AFDOrigin: v}
				})
			},
		},
		RoutesServer: fake.RoutesServer{
			Get: func(_ context.Context, rg, p, e, r string, _ *armcdn.RoutesClientGetOptions) (azfake.Responder[armcdn.RoutesClientGetResponse], azfake.ErrorResponder) {
				return get(st, pkey(rg, p, "afdEndpoints", e, "routes", r), func(v armcdn.Route) armcdn.RoutesClientGetResponse { return armcdn.RoutesClientGetResponse{Route: v} })
			},
			BeginCreate: func(_ context.Context, rg, p, e, r string, v armcdn.Route, _ *armcdn.RoutesClientBeginCreateOptions) (azfake.PollerResponder[armcdn.RoutesClientCreateResponse], azfake.ErrorResponder) {
				return put(st, pkey(rg, p, "afdEndpoints", e, "routes", r), v, func(v armcdn.Route) armcdn.RoutesClientCreateResponse {
					return armcdn.RoutesClientCreateResponse{Route: v}
				})
			},
			BeginUpdate: func(_ context.Context, rg, p, e, r string, _ armcdn.RouteUpdateParameters, _ *armcdn.RoutesClientBeginUpdateOptions) (azfake.PollerResponder[armcdn.RoutesClientUpdateResponse], azfake.ErrorResponder) {
				return patched(st, pkey(rg, p, "afdEndpoints", e, "routes", r), func(v armcdn.Route) armcdn.RoutesClientUpdateResponse {
					return armcdn.RoutesClientUpdateResponse{Route: v}
				})
			},
		},
		RuleSetsServer: fake.RuleSetsServer{
			Get: func(_ context.Context, rg, p, rs string, _ *armcdn.RuleSetsClientGetOptions) (azfake.Responder[armcdn.RuleSetsClientGetResponse], azfake.ErrorResponder) {
				return get(st, pkey(rg, p, "ruleSets", rs), func(v armcdn.RuleSet) armcdn.RuleSetsClientGetResponse {
					return armcdn.RuleSetsClientGetResponse{RuleSet: v}
				})
			},
			Create: func(_ context.Context, rg, p, rs string, _ *armcdn.RuleSetsClientCreateOptions) (azfake.Responder[armcdn.RuleSetsClientCreateResponse], azfake.ErrorResponder) {
				k := pkey(rg, p, "ruleSets", rs)
				_ = armtest.Put(st, k, armcdn.RuleSet{ID: to.Ptr(k), Name: to.Ptr(rs)})
				return armtest.Respond(http.StatusOK, armcdn.RuleSetsClientCreateResponse{RuleSet: armcdn.RuleSet{ID: to.Ptr(k), Name: to.Ptr(rs)}})
			},
		},
		RulesServer: fake.RulesServer{
			Get: func(_ context.Context, rg, p, rs, r string, _ *armcdn.RulesClientGetOptions) (azfake.Responder[armcdn.RulesClientGetResponse], azfake.ErrorResponder) {
				return get(st, pkey(rg, p, "ruleSets", rs, "rules", r), func(v armcdn.Rule) armcdn.RulesClientGetResponse { return armcdn.RulesClientGetResponse{Rule: v} })
			},
			BeginCreate: func(_ context.Context, rg, p, rs, r string, v armcdn.Rule, _ *armcdn.RulesClientBeginCreateOptions) (azfake.PollerResponder[armcdn.RulesClientCreateResponse], azfake.ErrorResponder) {
				return put(st, pkey(rg, p, "ruleSets", rs, "rules", r), v, func(v armcdn.Rule) armcdn.RulesClientCreateResponse { return armcdn.RulesClientCreateResponse{Rule: v} })
			},
			BeginUpdate: func(_ context.Context, rg, p, rs, r string, _ armcdn.RuleUpdateParameters, _ *armcdn.RulesClientBeginUpdateOptions) (azfake.PollerResponder[armcdn.RulesClientUpdateResponse], azfake.ErrorResponder) {
				return patched(st, pkey(rg, p, "ruleSets", rs, "rules", r), func(v armcdn.Rule) armcdn.RulesClientUpdateResponse { return armcdn.RulesClientUpdateResponse{Rule: v} })
			},
		},
	}
	fd.store = st
	fd.recorder = &armtest.Recorder{Next: &rawMerge{store: st, next: fake.NewServerFactoryTransport(srv)}}
	fd.transport = fd.recorder
	if wrap != nil {
		fd.transport = wrap(fd.recorder)
	}
	return fd
}
