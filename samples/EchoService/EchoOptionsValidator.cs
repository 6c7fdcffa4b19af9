using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Pool.Reactor;

namespace EchoService;

/// <summary>Every mistake in the <c>Echo</c> section, each named with its key and the value found, before anything starts.</summary>
internal sealed class EchoOptionsValidator : IValidateOptions<EchoOptions>
{
    public ValidateOptionsResult Validate(string? name, EchoOptions options)
    {
        var errors = new List<string>();
        var section = EchoOptions.Section;
        if (
            !IPAddress.TryParse(options.Address, out var address)
            || address.AddressFamily != AddressFamily.InterNetwork
        )
        {
            errors.Add($"{section}:Address must be an IPv4 address (got '{options.Address}').");
        }
        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"{section}:Port must be from 0 to 65535 (got {options.Port}).");
        }
        if (options.Threads < 0)
        {
            errors.Add(
                $"{section}:Threads must be 0 (handlers on the loop thread) or more (got {options.Threads})."
            );
        }
        if (options.Loops is < 1 or > 256)
        {
            errors.Add($"{section}:Loops must be from 1 to 256 (got {options.Loops}).");
        }
        if (options.Work is < 0 or > 40)
        {
            errors.Add($"{section}:Work must be from 0 to 40 (got {options.Work}).");
        }
        if (options.HandlerDelay < TimeSpan.Zero)
        {
            errors.Add(
                $"{section}:HandlerDelay must not be negative (got {options.HandlerDelay})."
            );
        }
        if (options.MaxConnections < 1)
        {
            errors.Add(
                $"{section}:MaxConnections must be 1 or more (got {options.MaxConnections})."
            );
        }
        if (!Enum.IsDefined(options.Framing))
        {
            errors.Add(
                $"{section}:Framing must be Chunk or LengthPrefixed (got {options.Framing})."
            );
        }
        if (options.DrainTimeout < TimeSpan.Zero)
        {
            errors.Add(
                $"{section}:DrainTimeout must not be negative (got {options.DrainTimeout})."
            );
        }
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors);
    }
}
