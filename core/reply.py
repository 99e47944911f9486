"""The neutral answer core gives to a command; each adapter renders it its own way."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Action(BaseModel):
    """A button: adapters render it natively; the console shows numbered choices."""

    action_id: str
    label: str
    value: str = ""


class Section(BaseModel):
    title: str | None = None
    text: str = ""
    fields: list[tuple[str, str]] = Field(default_factory=list)


class Reply(BaseModel):
    text: str
    sections: list[Section] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    ephemeral: bool = True
    is_error: bool = False

    @classmethod
    def error(cls, message: str, usage: str | None = None) -> Reply:
        text = f"⚠️ {message}"
        if usage:
            text += f"\nUsage: {usage}"
        return cls(text=text, is_error=True)

    def as_text(self) -> str:
        """Plain text rendering shared by the console and logs."""
        lines = [self.text]
        for section in self.sections:
            if section.title:
                lines.append(f"\n{section.title}")
            if section.text:
                lines.append(section.text)
            lines.extend(f"  {name}: {value}" for name, value in section.fields)
        if self.actions:
            lines.append("")
            lines.extend(f"  [{n}] {a.label}" for n, a in enumerate(self.actions, 1))
        return "\n".join(lines)
