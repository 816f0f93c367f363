using Portal.Core.Redfish.Models;

namespace Portal.Core.Redfish;

public sealed partial class RedfishClient
{
    private const int MaxCollectionPages = 100;

    /// <summary>Reads the resource an @odata.id names.</summary>
    public async Task<T> GetAsync<T>(string odataId, CancellationToken ct = default) where T : RedfishResource
    {
        var response = await SendAsync(new Request(HttpMethod.Get, Resolve(odataId)), authenticate: true, ct).ConfigureAwait(false);
        EnsureSuccess(response);
        return Deserialize<T>(response);
    }

    /// <summary>Reads a linked resource, or null when the link is absent (an optional part of the tree).</summary>
    public async Task<T?> GetAsync<T>(ODataLink? link, CancellationToken ct = default) where T : RedfishResource =>
        link?.ODataId is { } id ? await GetAsync<T>(id, ct).ConfigureAwait(false) : null;

    /// <summary>
    /// Reads every member of a collection (following <c>Members@odata.nextLink</c> pages). Members
    /// are fetched in parallel; the per-BMC limit keeps that to what the BMC tolerates.
    /// </summary>
    public async Task<IReadOnlyList<T>> GetMembersAsync<T>(ODataLink? collection, CancellationToken ct = default) where T : RedfishResource
    {
        if (collection?.ODataId is not { } id)
            return [];
        var links = new List<ODataLink>();
        string? next = id;
        for (var page = 0; next is not null; page++)
        {
            if (page == MaxCollectionPages)
                throw Malformed(Resolve(id), $"The collection has more than {MaxCollectionPages} pages.");
            var part = await GetAsync<ResourceCollection>(next, ct).ConfigureAwait(false);
            if (part.Members is null)
                throw Malformed(Resolve(next), "The collection has no Members array.");
            links.AddRange(part.Members);
            next = part.NextLink;
        }
        return await GetAllAsync<T>(links, ct).ConfigureAwait(false);
    }

    /// <summary>Reads a list of linked resources in parallel, keeping their order.</summary>
    public async Task<IReadOnlyList<T>> GetAllAsync<T>(IEnumerable<ODataLink> links, CancellationToken ct = default) where T : RedfishResource
    {
        var tasks = links.Select(link => link.ODataId is { } memberId
            ? GetAsync<T>(memberId, ct)
            : throw Malformed((Uri?)null, "A collection member has no @odata.id.")).ToList();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Members of a property that is either a link array or a collection link.</summary>
    public Task<IReadOnlyList<T>> GetMembersAsync<T>(LinksOrCollection? links, CancellationToken ct = default) where T : RedfishResource =>
        links switch
        {
            null => Task.FromResult<IReadOnlyList<T>>([]),
            { Collection: { } collection } => GetMembersAsync<T>(collection, ct),
            _ => GetAllAsync<T>(links.Items, ct),
        };

    public async Task<IReadOnlyList<ComputerSystem>> GetSystemsAsync(CancellationToken ct = default) =>
        await GetMembersAsync<ComputerSystem>((await ProbeAsync(ct).ConfigureAwait(false)).Systems, ct).ConfigureAwait(false);

    public async Task<IReadOnlyList<Manager>> GetManagersAsync(CancellationToken ct = default) =>
        await GetMembersAsync<Manager>((await ProbeAsync(ct).ConfigureAwait(false)).Managers, ct).ConfigureAwait(false);

    public async Task<IReadOnlyList<Chassis>> GetChassisAsync(CancellationToken ct = default) =>
        await GetMembersAsync<Chassis>((await ProbeAsync(ct).ConfigureAwait(false)).Chassis, ct).ConfigureAwait(false);
}
