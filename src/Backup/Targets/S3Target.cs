using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ActorStore.Backup.Targets;

/// <summary>
/// A backup target in an S3-compatible bucket, under a key prefix. A PUT replaces an object whole, so every put is
/// atomic and durable when it returns. Payloads go unchunked and without trailing checksums: s3rver and several
/// other S3-compatible servers would store chunk headers inside the object otherwise.
/// </summary>
public sealed class S3Target : IBackupTarget
{
    /// <summary>
    /// One client per endpoint and credentials for the process: a client holds its HTTP connections, and the gateway, the
    /// jobs and the standby polls open a target per request. Few targets are ever set, so the clients are kept.
    /// </summary>
    private static readonly ConcurrentDictionary<(string Endpoint, string Region, string AccessKey, string SecretKey), AmazonS3Client> Clients = new();

    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly string _endpoint;

    public S3Target(string bucket, string prefix, string? endpoint, string region, string accessKey, string secretKey)
    {
        _bucket = bucket;
        _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
        _endpoint = endpoint ?? "";
        _client = Clients.GetOrAdd((_endpoint, region, accessKey, secretKey), NewClient);
    }

    private static AmazonS3Client NewClient((string Endpoint, string Region, string AccessKey, string SecretKey) key)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromSeconds(60),
            MaxErrorRetry = 3,
        };
        if (key.Endpoint.Length > 0)
        {
            config.ServiceURL = key.Endpoint;
            config.AuthenticationRegion = key.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(key.Region);
        }
        return new AmazonS3Client(new BasicAWSCredentials(key.AccessKey, key.SecretKey), config);
    }

    public string Describe => $"s3://{_bucket}/{_prefix}" + (_endpoint.Length > 0 ? $" at {_endpoint}" : "");

    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancel = default) => Guard(key, async () =>
    {
        var stream = MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
        await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket,
            Key = _prefix + key,
            InputStream = stream,
            AutoCloseStream = true,
            UseChunkEncoding = false,
        }, cancel).ConfigureAwait(false);
        return true;
    });

    public Task<PooledBytes?> GetAsync(string key, CancellationToken cancel = default) => Guard(key, async () =>
    {
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(_bucket, _prefix + key, cancel).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        using (response)
        {
            var bytes = new PooledBytes(checked((int)response.ContentLength));
            try
            {
                var read = 0;
                while (read < bytes.Length)
                {
                    var n = await response.ResponseStream.ReadAsync(bytes.Memory[read..], cancel).ConfigureAwait(false);
                    if (n == 0) break;
                    read += n;
                }
                bytes.Shorten(read);
                return bytes;
            }
            catch
            {
                bytes.Dispose();
                throw;
            }
        }
    });

    public Task<TargetObject?> StatAsync(string key, CancellationToken cancel = default) => Guard(key, async () =>
    {
        try
        {
            var meta = await _client.GetObjectMetadataAsync(_bucket, _prefix + key, cancel).ConfigureAwait(false);
            return new TargetObject(key, meta.ContentLength, ToUtc(meta.LastModified));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    });

    public Task<IReadOnlyList<TargetObject>> ListAsync(string prefix, CancellationToken cancel = default) => Guard(prefix, async () =>
    {
        var found = new List<TargetObject>();
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix };
        while (true)
        {
            var page = await _client.ListObjectsV2Async(request, cancel).ConfigureAwait(false);
            foreach (var o in page.S3Objects ?? []) found.Add(new TargetObject(o.Key[_prefix.Length..], o.Size ?? 0, ToUtc(o.LastModified)));
            if (page.IsTruncated != true) break;
            request.ContinuationToken = page.NextContinuationToken;
        }
        return (IReadOnlyList<TargetObject>)found;
    });

    public Task DeleteAsync(string key, CancellationToken cancel = default) => Guard(key, async () =>
    {
        await _client.DeleteObjectAsync(_bucket, _prefix + key, cancel).ConfigureAwait(false);
        return true;
    });

    public Task StageAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancel = default) => PutAsync(key, data, cancel);

    public Task SyncAsync(CancellationToken cancel = default) => Task.CompletedTask;

    public void Dispose()
    {
        // The client is shared (see Clients).
    }

    private static DateTimeOffset ToUtc(DateTime? time) => time is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;

    private async Task<T> Guard<T>(string key, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or TimeoutException
                                      || (e is TaskCanceledException && e.InnerException is TimeoutException))
        {
            var what = e is AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden } ? "access denied; check the access key and secret"
                : e is AmazonS3Exception { ErrorCode: "NoSuchBucket" } ? "no such bucket; create it or fix the target URL"
                : $"{e.Message}; check the endpoint, bucket and credentials";
            throw new BackupTargetException($"backup target {Describe}, object '{key}': {what}", e);
        }
    }
}
