using Microsoft.AspNetCore.Components.Forms;

namespace Portal.Netboot;

/// <summary>
/// Puts a refusal from the server (a name taken, an entity rule) next to the field it is about, in
/// the form's own validation messages; the message goes as soon as that field is edited.
/// </summary>
internal sealed class ServerErrors
{
    private readonly EditContext context;
    private readonly ValidationMessageStore store;

    public ServerErrors(EditContext context)
    {
        this.context = context;
        store = new ValidationMessageStore(context);
        context.OnFieldChanged += (_, e) => store.Clear(e.FieldIdentifier);
        context.OnValidationRequested += (_, _) => store.Clear();
    }

    public void Show(string field, string message)
    {
        store.Add(context.Field(field), message);
        context.NotifyValidationStateChanged();
    }
}
