FROM python:3.11-slim

# A C compiler for packages without wheels on this platform.
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot bot
COPY core core
COPY storage storage
COPY scheduler scheduler
RUN pip install --no-cache-dir . && useradd --create-home digestbot
USER digestbot
ENV DIGESTBOT_DATA_DIR=/home/digestbot/data
EXPOSE 8080
CMD ["digestbot", "run"]
