namespace Portal.Core.Provisioning.Workflow;

/// <summary>A BMC step did not reach its goal; the message is a sentence for the timeline.</summary>
internal sealed class BmcStepException(string message) : Exception(message);
