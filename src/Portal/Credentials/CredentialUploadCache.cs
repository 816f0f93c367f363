using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using Portal.Core.Credentials;

namespace Portal.Credentials;

/// <summary>A parsed upload waiting for the admin to confirm it. Holds plain passwords: memory only.</summary>
internal sealed record PendingUpload(string Id, string UserId, string FileName, bool Replace, CredentialListPreview Preview);

/// <summary>
/// Keeps the parse result between the preview page and the import click. In memory (never on
/// disk or in the page, because it holds the passwords), under an unguessable id, bound to the
/// user who uploaded it, for 15 minutes.
/// </summary>
internal sealed class CredentialUploadCache(IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    public PendingUpload Store(string userId, string fileName, bool replace, CredentialListPreview preview)
    {
        var upload = new PendingUpload(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18)), userId, fileName, replace, preview);
        Save(upload);
        return upload;
    }

    /// <summary>The upload, or null when it expired, never existed or belongs to someone else.</summary>
    public PendingUpload? Find(string id, string? userId) =>
        userId is not null && cache.TryGetValue(Key(id), out PendingUpload? upload) && upload!.UserId == userId ? upload : null;

    public void Save(PendingUpload upload) => cache.Set(Key(upload.Id), upload, Lifetime);

    public void Remove(string id) => cache.Remove(Key(id));

    private static string Key(string id) => "credential-upload:" + id;
}
